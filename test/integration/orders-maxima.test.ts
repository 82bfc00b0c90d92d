import { describe, expect, it } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import { LIMITS } from '../../shared/domain/event-model.js';
import { createPublishedEvent, readInventory } from '../support/events-api.js';
import {
  type AuthenticatedContext,
  adminContext,
  customerContext,
  organizerContext,
} from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import {
  captureBusEmails,
  delegatingRepository,
  expectStockInvariant,
  holdOk,
  ManualClock,
  orderHarness,
  principalOf,
  readOrderItem,
  setExpiresAt,
} from '../support/orders-api.js';

/*
 * Every order and event transition at the largest order and event the request schemas
 * accept, on DynamoDB Local, which enforces DynamoDB's expression limits: an event with
 * every ticket type it may have, and orders of one ticket of each type (up to the most
 * tickets an order may hold). Before the expression builder, pay of such an order
 * answered 500 after the capture and left it PAYING for good.
 */

const bus = captureBusEmails();

const TICKET_TYPES = LIMITS.ticketTypesPerEvent;
const CAPACITY = 10;

/** A published event with every ticket type it may have, and one order per type. */
async function largestEvent(organizer = organizerContext()) {
  const event = await createPublishedEvent(organizer, {
    maxTicketsPerOrder: LIMITS.maxTicketsPerOrder.max,
    ticketTypes: Array.from({ length: TICKET_TYPES }, (_, index) => ({
      name: `Ticket type ${index} `.padEnd(100, 'x'),
      priceCents: 1000 + index,
      capacity: CAPACITY,
    })),
  });
  const ids: string[] = event.ticketTypes.map(({ id }: { id: string }) => id);
  expect(ids).toHaveLength(TICKET_TYPES);
  return { organizer, event, ids };
}

/** One or two tickets of every type: the most tickets one order may hold. */
function largestItems(ids: string[]) {
  const extra = LIMITS.maxTicketsPerOrder.max - ids.length;
  return ids.map((ticketTypeId, index) => ({ ticketTypeId, quantity: index < extra ? 2 : 1 }));
}

const totalTickets = (items: { quantity: number }[]) =>
  items.reduce((sum, item) => sum + item.quantity, 0);

/** Every ticket type's counters, each checked against the stock invariant. */
async function stockOf(eventId: string) {
  const { ticketTypes } = await readInventory(eventId);
  const all = Object.values(ticketTypes);
  for (const ticketType of all) expectStockInvariant(ticketType);
  const sum = (field: 'available' | 'held' | 'sold') =>
    all.reduce((total, ticketType) => total + ticketType[field], 0);
  return { available: sum('available'), held: sum('held'), sold: sum('sold') };
}

const pay = (as: AuthenticatedContext, orderId: string, paymentToken: string) =>
  invoke('POST', `/v1/orders/${orderId}/pay`, { as, body: { paymentToken } });
const cancel = (as: AuthenticatedContext, orderId: string) =>
  invoke('POST', `/v1/orders/${orderId}/cancel`, { as });

describe('every transition of the largest order on the largest event', () => {
  it('holds, declines, pays and refunds an order of every ticket type', async () => {
    const { event, ids } = await largestEvent();
    const items = largestItems(ids);
    expect(totalTickets(items)).toBe(LIMITS.maxTicketsPerOrder.max);
    const customer = customerContext();

    const order = await holdOk(customer, event.id, items);
    expect(await stockOf(event.id)).toEqual({
      available: TICKET_TYPES * CAPACITY - 100,
      held: 100,
      sold: 0,
    });

    expectProblem(await pay(customer, order.id, 'tok_declined'), 402, 'PAYMENT_DECLINED');
    expect(await readOrderItem(order.id)).toMatchObject({ status: 'HELD' });

    const paid = await pay(customer, order.id, 'tok_visa');
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('CONFIRMED');
    expect(await stockOf(event.id)).toEqual({
      available: TICKET_TYPES * CAPACITY - 100,
      held: 0,
      sold: 100,
    });

    const refunded = await cancel(customer, order.id);
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(200);
    expect(refunded.body.status).toBe('REFUNDED');
    expect(await stockOf(event.id)).toEqual({
      available: TICKET_TYPES * CAPACITY,
      held: 0,
      sold: 0,
    });
    expect(bus.kindsOf(order.id)).toEqual(['order-confirmed', 'order-refunded']);
  });

  it('cancels a held order and expires another', async () => {
    const { event, ids } = await largestEvent();
    const [first, second] = [customerContext(), customerContext()];
    const cancelled = await holdOk(first, event.id, largestItems(ids));
    const lapsing = await holdOk(second, event.id, largestItems(ids));

    const response = await cancel(first, cancelled.id);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.status).toBe('CANCELLED');

    await setExpiresAt(lapsing.id, '2001-01-01T00:00:00.000Z');
    expect(await expireHold({ orderId: lapsing.id })).toEqual({ expired: true });
    expect(await readOrderItem(lapsing.id)).toMatchObject({ status: 'EXPIRED' });
    expect(await stockOf(event.id)).toEqual({
      available: TICKET_TYPES * CAPACITY,
      held: 0,
      sold: 0,
    });
  });

  it('cancels the event: releases the held order and refunds the paid one', async () => {
    const { organizer, event, ids } = await largestEvent();
    const [holder, buyer] = [customerContext(), customerContext()];
    const held = await holdOk(holder, event.id, largestItems(ids));
    const bought = await holdOk(buyer, event.id, largestItems(ids));
    expect((await pay(buyer, bought.id, 'tok_visa')).status).toBe(200);

    const response = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(await readOrderItem(held.id)).toMatchObject({ status: 'CANCELLED' });
    expect(await readOrderItem(bought.id)).toMatchObject({ status: 'REFUNDED' });
    expect(await stockOf(event.id)).toEqual({
      available: TICKET_TYPES * CAPACITY,
      held: 0,
      sold: 0,
    });
    // Every order released: the cancellation is no longer pending.
    expect(await readInventory(event.id)).not.toHaveProperty('gsi3pk');
  });

  it('PATCHes the name, price and capacity of every ticket type at once', async () => {
    const { organizer, event, ids } = await largestEvent();
    const customer = customerContext();
    await holdOk(customer, event.id, largestItems(ids));

    const response = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: {
        ticketTypes: ids.map((id, index) => ({
          id,
          name: `Renamed ${index} `.padEnd(100, 'y'),
          priceCents: 2000 + index,
          capacity: index % 2 === 0 ? CAPACITY - 5 : CAPACITY + 5,
        })),
      },
    });

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.ticketTypes[1]).toMatchObject({ priceCents: 2001, capacity: 15 });
    expect(await stockOf(event.id)).toEqual({
      available: TICKET_TYPES * CAPACITY - 100,
      held: 100,
      sold: 0,
    });
  });

  it('an admin cancels the largest paid order of another customer', async () => {
    const { event, ids } = await largestEvent();
    const customer = customerContext();
    const order = await holdOk(customer, event.id, largestItems(ids));
    expect((await pay(customer, order.id, 'tok_visa')).status).toBe(200);

    const response = await cancel(adminContext(), order.id);

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.status).toBe('REFUNDED');
  });
});

/**
 * The sweeps below read the whole shared table's due index up to their clock: times no
 * other test uses keep other tests' lapsed holds out of their counts.
 */
const AFTER_CAPTURE = '1991-01-01T00:00:00.000Z';
const AFTER_REFUND = '1991-02-01T00:00:00.000Z';
const minutesAfter = (start: string, minutes: number) =>
  new Date(Date.parse(start) + minutes * 60_000).toISOString();

describe('a money step that fails after the gateway moved money is finished by the sweep', () => {
  it('after the capture: the order is confirmed by the sweep, charged once', async () => {
    const clock = new ManualClock(AFTER_CAPTURE);
    let failures = 1;
    const harness = orderHarness({
      clock,
      wrap: (inner) =>
        delegatingRepository(inner, {
          confirm: async (order, payment) => {
            if (failures-- > 0) throw new Error('connection lost after capture');
            return inner.confirm(order, payment);
          },
        }),
    });
    const { event, ids } = await largestEvent();
    const customer = principalOf(customerContext());
    const order = await harness.service.hold(customer, event.id, { items: largestItems(ids) });
    await expect(harness.service.pay(customer, order.id, 'tok_visa')).rejects.toThrow(
      'connection lost after capture',
    );
    expect(await readOrderItem(order.id)).toMatchObject({ status: 'PAYING' });

    clock.set(minutesAfter(AFTER_CAPTURE, 13));
    expect(await harness.service.sweep()).toMatchObject({ recovered: 1 });

    expect(await readOrderItem(order.id)).toMatchObject({ status: 'CONFIRMED' });
    expect(new Set(harness.payments.capturesOf(order.id).map((c) => c.orderId)).size).toBe(1);
    expect(await stockOf(event.id)).toMatchObject({ held: 0, sold: 100 });
    expect(harness.emails.sent.filter((email) => email.orderId === order.id)).toEqual([
      { orderId: order.id, kind: 'order-confirmed' },
    ]);
  });

  it('after the refund: the sweep books it, the customer is told once', async () => {
    const clock = new ManualClock(AFTER_REFUND);
    let failures = 1;
    const harness = orderHarness({
      clock,
      wrap: (inner) =>
        delegatingRepository(inner, {
          refund: async (order, now) => {
            if (failures-- > 0) throw new Error('connection lost after refund');
            return inner.refund(order, now);
          },
        }),
    });
    const { event, ids } = await largestEvent();
    const customer = principalOf(customerContext());
    const order = await harness.service.hold(customer, event.id, { items: largestItems(ids) });
    await harness.service.pay(customer, order.id, 'tok_visa');

    await expect(harness.service.cancel(customer, order.id)).rejects.toThrow(
      'connection lost after refund',
    );
    // Claimed and refunded at the gateway, not booked yet: still CONFIRMED to readers.
    expect(await readOrderItem(order.id)).toMatchObject({ status: 'REFUNDING' });
    expect((await harness.service.get(customer, order.id)).status).toBe('CONFIRMED');
    // Within its grace the sweep leaves it to the request that claimed it.
    clock.set(minutesAfter(AFTER_REFUND, 1));
    expect(await harness.service.sweep()).toMatchObject({ recovered: 0 });

    clock.set(minutesAfter(AFTER_REFUND, 3));
    expect(await harness.service.sweep()).toMatchObject({ recovered: 1 });

    expect(await readOrderItem(order.id)).toMatchObject({ status: 'REFUNDED' });
    expect(await readOrderItem(order.id)).not.toHaveProperty('gsi5pk');
    expect(await stockOf(event.id)).toEqual({
      available: TICKET_TYPES * CAPACITY,
      held: 0,
      sold: 0,
    });
    // Asked twice for the same order (idempotent per order at the gateway), booked once.
    expect(harness.payments.refunds.map((refund) => refund.orderId)).toEqual([order.id, order.id]);
    expect(harness.emails.sent.filter((email) => email.orderId === order.id)).toEqual([
      { orderId: order.id, kind: 'order-confirmed' },
      { orderId: order.id, kind: 'order-refunded' },
    ]);
    expect(await harness.service.sweep()).toMatchObject({ recovered: 0 });
  });
});
