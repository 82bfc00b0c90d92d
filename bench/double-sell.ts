/**
 * The double-sell check of the seated scenario: after a seated event's holds, the
 * authoritative items, read strongly consistent and never through a GSI, must agree
 * with each other and with the 201s. The seat items (one partition per section), the
 * event's orders (a consistent Scan) and the INVENTORY counters of its ticket type.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { eventKeys, seatKeys } from '../shared/db/table.js';
import { orphanSeats } from './seat-map.js';
import type { SeatedEvent } from './seated-api.js';

/** A 201 as the buyer saw it. */
export interface HeldOrder {
  orderId: string;
  /** The seats the answer lists. */
  seatIds: string[];
  /** What the buyer asked for: these seats, or this many of the best available. */
  asked: string[] | number;
}

type Item = Record<string, unknown>;

/** Orders that still hold their seats. */
const LIVE = new Set(['HELD', 'PAYING', 'CONFIRMED']);

const sameSeats = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

async function seatItems(client: DynamoDBDocumentClient, tableName: string, event: SeatedEvent) {
  const items: Item[] = [];
  for (const section of event.layout.sections) {
    for await (const page of paginateQuery(
      { client },
      {
        TableName: tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': seatKeys.sectionPartition(event.eventId, section.name),
        },
      },
    )) {
      items.push(...(page.Items ?? []));
    }
  }
  return items;
}

async function orderItems(client: DynamoDBDocumentClient, tableName: string, eventId: string) {
  const items: Item[] = [];
  for await (const page of paginateScan(
    { client },
    {
      TableName: tableName,
      ConsistentRead: true,
      FilterExpression: '#entity = :order AND #eventId = :eventId',
      ExpressionAttributeNames: { '#entity': 'entity', '#eventId': 'eventId' },
      ExpressionAttributeValues: { ':order': 'Order', ':eventId': eventId },
    },
  )) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

const seatsOfOrder = (order: Item): string[] =>
  ((order.items ?? []) as { seatIds?: string[] }[]).flatMap((item) => item.seatIds ?? []);

export async function doubleSellCheck(
  client: DynamoDBDocumentClient,
  tableName: string,
  event: SeatedEvent,
  held: readonly HeldOrder[],
) {
  const [seats, orders, { Item: inventory }] = await Promise.all([
    seatItems(client, tableName, event),
    orderItems(client, tableName, event.eventId),
    client.send(
      new GetCommand({
        TableName: tableName,
        Key: eventKeys.inventory(event.eventId),
        ConsistentRead: true,
      }),
    ),
  ]);
  const ticketType = inventory?.ticketTypes?.[event.ticketTypeId] as
    | { available: number; held: number; sold: number; capacity: number }
    | undefined;

  const live = orders.filter((order) => LIVE.has(String(order.status)));
  const ordersOfSeat = new Map<string, string[]>();
  for (const order of live) {
    for (const seat of seatsOfOrder(order)) {
      const holders = ordersOfSeat.get(seat) ?? [];
      holders.push(String(order.id));
      ordersOfSeat.set(seat, holders);
    }
  }
  const seatById = new Map(seats.map((seat) => [String(seat.seatId), seat]));
  const orderById = new Map(orders.map((order) => [String(order.id), order]));

  // A 201 holds exactly its seats: the stored order is live with the seats the answer
  // named (and the buyer asked for), and each of those seat items points back at it.
  const wrong201s = held.filter(({ orderId, seatIds, asked }) => {
    const stored = orderById.get(orderId);
    const askedRight =
      typeof asked === 'number' ? seatIds.length === asked : sameSeats(asked, seatIds);
    return (
      !askedRight ||
      !stored ||
      stored.status !== 'HELD' ||
      !sameSeats(seatsOfOrder(stored), seatIds) ||
      seatIds.some((id) => seatById.get(id)?.orderId !== orderId)
    );
  });
  // A seat item whose order is not live or does not list it.
  const strays = seats.filter((seat) => {
    const order = orderById.get(String(seat.orderId));
    return (
      !order ||
      !LIVE.has(String(order.status)) ||
      !seatsOfOrder(order).includes(String(seat.seatId))
    );
  });

  const answered = new Set(held.map(({ orderId }) => orderId));
  const found = {
    successes: held.length,
    ordersInTable: orders.length,
    liveOrders: live.length,
    /**
     * Orders no buyer got a 201 for: a hold whose answer failed (a handler timeout, say)
     * after its transaction was sent can still commit. Its seats are held, not sold
     * twice, but its buyer does not know it has them.
     */
    ordersWithout201: orders.filter((order) => !answered.has(String(order.id))).length,
    seatsInOrders: live.reduce((sum, order) => sum + seatsOfOrder(order).length, 0),
    seatItems: seats.length,
    seatsInTwoOrders: [...ordersOfSeat.values()].filter((ids) => ids.length > 1).length,
    wrong201s: wrong201s.length,
    straySeatItems: strays.length,
    capacity: ticketType?.capacity ?? Number.NaN,
    available: ticketType?.available ?? Number.NaN,
    held: ticketType?.held ?? Number.NaN,
    sold: ticketType?.sold ?? Number.NaN,
    /** Not a check: single available seats the sale left, from the seat items read here. */
    orphanSeats: orphanSeats(event.layout, new Set(seatById.keys())),
  };
  const checks = {
    'no seat in two live orders': found.seatsInTwoOrders === 0,
    'every 201 order holds exactly its seats': found.wrong201s === 0,
    'orders in table == 201s, all live (none from an answer that failed)':
      found.ordersWithout201 === 0 && found.liveOrders === found.ordersInTable,
    'every seat item belongs to a live order that lists it': found.straySeatItems === 0,
    'seat items == seats in orders': found.seatItems === found.seatsInOrders,
    'seats in orders == INVENTORY held': found.seatsInOrders === found.held,
    'available == capacity - held, sold == 0':
      found.capacity === event.capacity &&
      found.available === found.capacity - found.held &&
      found.sold === 0,
  };
  const doubleSold =
    found.seatsInTwoOrders > 0 || found.held > event.capacity || found.available < 0;
  return { found, checks, doubleSold, pass: Object.values(checks).every(Boolean) };
}

export type DoubleSellCheck = Awaited<ReturnType<typeof doubleSellCheck>>;

export function doubleSellVerdict(result: { pass: boolean; doubleSold: boolean }): string {
  if (result.pass) return 'PASS';
  return result.doubleSold ? 'FAIL: DOUBLE-SOLD' : 'FAIL: counts disagree (no seat sold twice)';
}
