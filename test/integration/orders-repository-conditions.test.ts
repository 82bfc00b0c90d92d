import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { Order } from '../../shared/domain/order-model.js';
import { createPublishedEvent, readInventory, readTicketType } from '../support/events-api.js';
import { customerContext, organizerContext } from '../support/events-fixtures.js';
import {
  expectStockInvariant,
  holdOk,
  orderHarness,
  readLiveTickets,
  readOrderItem,
  readOutbox,
} from '../support/orders-api.js';

/*
 * The write conditions of the order repository, by behaviour on DynamoDB Local: each
 * transition is called directly on the real adapter with a `now` chosen around the hold's
 * expiry, so a condition that is loosened or dropped lets a write through that the domain
 * in front of it would never have asked for. A refused write must answer false (or
 * 'sold-out') and leave the order, the stock, the customer's live tickets and the outbox
 * as they were. The stored `expiresAt` stays where the hold put it (in the future), so no
 * sweep of another test ever sees these holds as due.
 */

const { repository } = orderHarness();

/** `iso` moved by `ms` milliseconds. */
const shift = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** A published event with one ticket type of 10, and a live hold of 2 on it. */
async function liveHold() {
  const organizer = organizerContext();
  const event = await createPublishedEvent(organizer, {
    ticketTypes: [{ name: 'GA', priceCents: 2500, capacity: 10 }],
  });
  const customer = customerContext();
  const view = await holdOk(customer, event.id, [
    { ticketTypeId: event.ticketTypes[0].id, quantity: 2 },
  ]);
  const order = (await repository.get(view.id)) as Order;
  expect(order.status).toBe('HELD');
  return { eventId: event.id as string, userId: customer.userId, order };
}

/** Everything a transition of `order` may write. */
async function snapshot(order: Order) {
  return {
    order: await readOrderItem(order.id),
    inventory: await readInventory(order.eventId),
    live: await readLiveTickets(order.eventId, order.customer.userId),
    outbox: await Promise.all(
      (['order-cancelled', 'hold-expired', 'order-confirmed', 'order-refunded'] as const).map(
        (kind) => readOutbox(order.id, kind),
      ),
    ),
  };
}

describe('startPayment: HELD → PAYING only while expiresAt > now', () => {
  it('refuses a hold at or past its expiry and changes nothing; a moment earlier it wins', async () => {
    // Prepare
    const { order } = await liveHold();
    const before = await snapshot(order);

    // Act
    const atExpiry = await repository.startPayment(order, 'tok_visa', order.expiresAt);
    const afterExpiry = await repository.startPayment(order, 'tok_visa', shift(order.expiresAt, 1));
    const unchanged = await snapshot(order);
    const justBefore = await repository.startPayment(order, 'tok_visa', shift(order.expiresAt, -1));

    // Assess
    expect(atExpiry).toBe(false);
    expect(afterExpiry).toBe(false);
    expect(unchanged).toEqual(before);
    expect(justBefore).toBe(true);
    expect(await readOrderItem(order.id)).toMatchObject({
      status: 'PAYING',
      paymentToken: 'tok_visa',
    });
  });
});

describe('expire: HELD → EXPIRED only once expiresAt <= now', () => {
  it('refuses a live hold and changes nothing; at its expiry it wins', async () => {
    // Prepare
    const { order } = await liveHold();
    const before = await snapshot(order);

    // Act
    const early = await repository.expire(order, shift(order.expiresAt, -1), 'hold-expired');
    const unchanged = await snapshot(order);
    const atExpiry = await repository.expire(order, order.expiresAt, 'hold-expired');

    // Assess
    expect(early).toBeNull();
    expect(unchanged).toEqual(before);
    expect(atExpiry).toEqual({ pooled: [] });
    expect(await readOrderItem(order.id)).toMatchObject({ status: 'EXPIRED' });
    expect(await readTicketType(order.eventId, order.items[0]?.ticketTypeId ?? '')).toMatchObject({
      available: 10,
      held: 0,
    });
  });
});

describe('cancelHeld: HELD → CANCELLED only while expiresAt > now', () => {
  it('refuses a hold at or past its expiry and changes nothing; a moment earlier it wins', async () => {
    // Prepare
    const { order } = await liveHold();
    const before = await snapshot(order);

    // Act
    const atExpiry = await repository.cancelHeld(order, order.expiresAt, 'order-cancelled');
    const afterExpiry = await repository.cancelHeld(
      order,
      shift(order.expiresAt, 60_000),
      'order-cancelled',
    );
    const unchanged = await snapshot(order);
    const justBefore = await repository.cancelHeld(
      order,
      shift(order.expiresAt, -1),
      'order-cancelled',
    );

    // Assess
    expect(atExpiry).toBeNull();
    expect(afterExpiry).toBeNull();
    expect(unchanged).toEqual(before);
    expect(justBefore).toEqual({ pooled: [] });
    expect(await readOrderItem(order.id)).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('startRefund: CONFIRMED → REFUNDING only', () => {
  it('refuses a HELD, a PAYING and an already REFUNDING order and changes nothing; a CONFIRMED one it claims', async () => {
    // Prepare
    const { order } = await liveHold();
    const refund = (now: string) =>
      repository.startRefund(order, {
        now,
        email: 'order-refunded',
        recoverAt: shift(now, 120_000),
      });
    const now = shift(order.expiresAt, -60_000);

    // Act and assess, one state at a time
    const held = await snapshot(order);
    expect(await refund(now)).toBe(false);
    expect(await snapshot(order)).toEqual(held);

    expect(await repository.startPayment(order, 'tok_visa', now)).toBe(true);
    const paying = await snapshot(order);
    expect(await refund(now)).toBe(false);
    expect(await snapshot(order)).toEqual(paying);

    expect(await repository.confirm(order, { paymentId: 'pay-1', paidAt: now })).toBe(true);
    expect(await refund(now)).toBe(true);
    const refunding = await snapshot(order);
    expect(refunding.order).toMatchObject({ status: 'REFUNDING', refundEmail: 'order-refunded' });

    expect(await refund(shift(now, 1000))).toBe(false);
    expect(await snapshot(order)).toEqual(refunding);
  });
});

describe('hold: takes stock only while enough is left', () => {
  /** A published event with GA (10) and VIP (2), 4 GA already held by someone else. */
  async function partlyHeldEvent() {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [
        { name: 'GA', priceCents: 2500, capacity: 10 },
        { name: 'VIP', priceCents: 9000, capacity: 2 },
      ],
    });
    const [ga, vip] = event.ticketTypes.map(({ id }: { id: string }) => id) as [string, string];
    await holdOk(customerContext(), event.id, [{ ticketTypeId: ga, quantity: 4 }]);
    return { event, ga, vip };
  }

  /** An order as the domain hands it to the repository. */
  function newOrder(event: any, items: { ticketTypeId: string; quantity: number }[]): Order {
    const customer = customerContext();
    const now = new Date();
    const priced = items.map((item) => ({
      ...item,
      unitPriceCents: event.ticketTypes.find(({ id }: { id: string }) => id === item.ticketTypeId)
        .priceCents as number,
    }));
    return {
      id: ulid(),
      eventId: event.id,
      eventName: event.name,
      organizerId: event.organizerId,
      customer: { userId: customer.userId, email: customer.email, name: customer.name },
      items: priced,
      amountCents: priced.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
      currency: event.currency,
      status: 'HELD',
      expiresAt: new Date(now.getTime() + 600_000).toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
  }

  const limits = () => ({ perCustomer: 10, now: new Date().toISOString() });

  it("answers 'sold-out' for more than is left, of one type or of one of several, and changes no counter", async () => {
    // Prepare: 6 GA and 2 VIP left
    const { event, ga, vip } = await partlyHeldEvent();
    const tooManyGa = newOrder(event, [{ ticketTypeId: ga, quantity: 7 }]);
    const tooManyVip = newOrder(event, [
      { ticketTypeId: ga, quantity: 1 },
      { ticketTypeId: vip, quantity: 3 },
    ]);
    const inventoryBefore = await readInventory(event.id);

    // Act
    const outcomes = [
      await repository.hold(tooManyGa, limits()),
      await repository.hold(tooManyVip, limits()),
    ];

    // Assess: no stock, no order count, no order, no live tickets
    expect(outcomes).toEqual(['sold-out', 'sold-out']);
    expect(await readInventory(event.id)).toEqual(inventoryBefore);
    for (const order of [tooManyGa, tooManyVip]) {
      expect(await readOrderItem(order.id)).toBeUndefined();
      expect(await readLiveTickets(event.id, order.customer.userId)).toBe(0);
    }
  });

  it('takes exactly what is left', async () => {
    // Prepare
    const { event, ga, vip } = await partlyHeldEvent();
    const rest = newOrder(event, [
      { ticketTypeId: ga, quantity: 6 },
      { ticketTypeId: vip, quantity: 2 },
    ]);

    // Act
    const outcome = await repository.hold(rest, limits());

    // Assess
    expect(outcome).toBe('held');
    const inventory = await readInventory(event.id);
    expect(inventory.ticketTypes[ga]).toMatchObject({ available: 0, held: 10 });
    expect(inventory.ticketTypes[vip]).toMatchObject({ available: 0, held: 2 });
    for (const ticketType of Object.values(inventory.ticketTypes)) expectStockInvariant(ticketType);
    expect(await readOrderItem(rest.id)).toMatchObject({ status: 'HELD' });
  });
});
