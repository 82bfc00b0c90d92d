/**
 * A taken seat, as stored: one item per seat someone holds or has bought, written in the
 * same transaction as the order that takes, sells or releases it. An available seat has
 * no item, so taking one is a Put that only succeeds while there is none.
 */
import type { Order } from '../../domain/order-model.js';
import type { TakenSeat } from '../../domain/seat-map.js';
import { parseSeatId } from '../../domain/seating-model.js';
import { ItemExpression } from '../expression.js';
import { type PrimaryKey, seatKeys } from '../table.js';
import type { DeleteWrite } from '../transactions.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;

/** Seat ids come from the order, which the hold checked against the layout. */
function seatKey(eventId: string, seatId: string): PrimaryKey {
  const place = parseSeatId(seatId);
  if (!place) throw new Error(`unchecked seat id "${seatId}"`);
  return seatKeys.seat(eventId, place.section, place.row, place.number);
}

/** Every seat of an order, in item order: the order its transactions write them in. */
export const seatIdsOf = (order: Pick<Order, 'items'>): string[] =>
  order.items.flatMap((item) => item.seatIds ?? []);

/** A seat kept for the waitlist is off sale: to everyone else it is held. */
export const takenSeatFromItem = (item: Item): TakenSeat => ({
  id: item.seatId as string,
  status: item.status === 'RESERVED' ? 'HELD' : (item.status as TakenSeat['status']),
});

/** The writes of a seat item; every change after the hold only by the order that holds it. */
export const seatWrites = {
  /** Takes the seat for the order, only while nobody has it. */
  hold: (order: Order, seatId: string): PutWrite => ({
    Item: {
      ...seatKey(order.eventId, seatId),
      entity: 'Seat',
      eventId: order.eventId,
      seatId,
      orderId: order.id,
      status: 'HELD',
    },
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  sell: (order: Order, seatId: string): UpdateWrite => ({
    Key: seatKey(order.eventId, seatId),
    ...new ItemExpression().set('status', 'SOLD').compare('orderId', '=', order.id).toUpdate(),
  }),

  /** Makes the seat available again. */
  release: (order: Order, seatId: string): DeleteWrite => ({
    Key: seatKey(order.eventId, seatId),
    ...new ItemExpression().compare('orderId', '=', order.id).toCondition(),
  }),

  /** Released into the waitlist's pool: nobody's, and still off sale. */
  reserve: (order: Order, seatId: string): UpdateWrite => ({
    Key: seatKey(order.eventId, seatId),
    ...new ItemExpression()
      .set('status', 'RESERVED')
      .remove('orderId')
      .compare('orderId', '=', order.id)
      .toUpdate(),
  }),

  /** From the pool to the offer's order. */
  offer: (order: Order, seatId: string): UpdateWrite => ({
    Key: seatKey(order.eventId, seatId),
    ...new ItemExpression()
      .set('status', 'HELD')
      .set('orderId', order.id)
      .compare('status', '=', 'RESERVED')
      .toUpdate(),
  }),

  /** From the pool back on sale. */
  unreserve: (eventId: string, seatId: string): DeleteWrite => ({
    Key: seatKey(eventId, seatId),
    ...new ItemExpression().compare('status', '=', 'RESERVED').toCondition(),
  }),
};
