import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import { createPublishedEvent, readInventory, readTicketType } from '../support/events-api.js';
import { customerContext, organizerContext } from '../support/events-fixtures.js';
import { invoke } from '../support/invoke.js';
import {
  captureBusEmails,
  delegatingRepository,
  expectStockInvariant,
  holdOk,
  ManualClock,
  orderHarness,
  principalOf,
  readLiveTickets,
  readOrderItem,
  releaseStockUnguarded,
  setExpiresAt,
} from '../support/orders-api.js';

/*
 * The expiry job is called by a one-time schedule, and EventBridge Scheduler delivers
 * at least once: a trigger may come twice, concurrently, late, early, or for an order
 * that was paid or cancelled meanwhile. Only the first due trigger may change anything.
 *
 * Tests that run the sweep use a hand-moved clock set in the early 2000s and backdate
 * only their own holds there: the due index is shared by every test of the run, and a
 * sweep "now" would expire other tests' holds under them.
 */

const bus = captureBusEmails();

const past = () => new Date(Date.now() - 1000).toISOString();

async function dueHold(quantity = 2) {
  const organizer = organizerContext();
  const event = await createPublishedEvent(organizer, {
    ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 10 }],
  });
  const ticketTypeId: string = event.ticketTypes[0].id;
  const customer = customerContext();
  const order = await holdOk(customer, event.id, [{ ticketTypeId, quantity }]);
  return { organizer, event, ticketTypeId, customer, order };
}

describe('the expiry job (functions/expire-hold)', () => {
  it('a duplicate trigger changes nothing more than the first', async () => {
    const { event, ticketTypeId, customer, order } = await dueHold(2);
    await setExpiresAt(order.id, past());

    const first = await expireHold({ orderId: order.id });
    const afterFirst = await readInventory(event.id);
    const storedFirst = await readOrderItem(order.id);
    const second = await expireHold({ orderId: order.id });

    expect(first).toEqual({ expired: true });
    expect(second).toEqual({ expired: false });
    expect(afterFirst.ticketTypes[ticketTypeId]).toMatchObject({ available: 10, held: 0 });
    expect(await readInventory(event.id)).toEqual(afterFirst);
    expect(await readOrderItem(order.id)).toEqual(storedFirst);
    expect(storedFirst).toMatchObject({ status: 'EXPIRED' });
    expect(storedFirst).not.toHaveProperty('gsi5pk');
    expect(await readLiveTickets(event.id, customer.userId)).toBe(0);
    expect(bus.sent).toEqual([{ orderId: order.id, kind: 'hold-expired' }]);
  });

  it('three concurrent triggers expire once', async () => {
    const { event, ticketTypeId, customer, order } = await dueHold(3);
    await setExpiresAt(order.id, past());

    const results = await Promise.all([1, 2, 3].map(() => expireHold({ orderId: order.id })));

    expect(results.filter((r) => r.expired)).toHaveLength(1);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 10, held: 0, sold: 0 });
    expect(await readLiveTickets(event.id, customer.userId)).toBe(0);
    expect(bus.sent).toEqual([{ orderId: order.id, kind: 'hold-expired' }]);
  });

  it('an early trigger changes nothing; the order stays payable', async () => {
    const { event, customer, order } = await dueHold();
    const before = await readInventory(event.id);
    const stored = await readOrderItem(order.id);

    expect(await expireHold({ orderId: order.id })).toEqual({ expired: false });

    expect(await readInventory(event.id)).toEqual(before);
    expect(await readOrderItem(order.id)).toEqual(stored);
    const paid = await invoke('POST', `/v1/orders/${order.id}/pay`, {
      as: customer,
      body: { paymentToken: 'tok_visa' },
    });
    expect(paid.body.status).toBe('CONFIRMED');
  });

  it('a trigger for a confirmed or cancelled order changes nothing, however late', async () => {
    const paid = await dueHold();
    await invoke('POST', `/v1/orders/${paid.order.id}/pay`, {
      as: paid.customer,
      body: { paymentToken: 'tok_visa' },
    });
    const cancelled = await dueHold();
    await invoke('POST', `/v1/orders/${cancelled.order.id}/cancel`, { as: cancelled.customer });
    bus.clear();

    for (const { event, order } of [paid, cancelled]) {
      const before = await readInventory(event.id);
      const stored = await readOrderItem(order.id);
      expect(await expireHold({ orderId: order.id })).toEqual({ expired: false });
      expect(await readInventory(event.id)).toEqual(before);
      expect(await readOrderItem(order.id)).toEqual(stored);
    }
    expect(bus.sent).toEqual([]);
    expect((await readOrderItem(paid.order.id))?.status).toBe('CONFIRMED');
  });

  it('drops an unknown order or a malformed event without throwing', async () => {
    expect(await expireHold({ orderId: 'no-such-order' })).toEqual({ expired: false });
    expect(await expireHold({})).toEqual({ expired: false });
    expect(await expireHold({ orderId: 42 })).toEqual({ expired: false });
    expect(await expireHold({ orderId: '' })).toEqual({ expired: false });
  });
});

describe('concurrent expiry: the guard and its control', () => {
  const GAP_MS = 15;

  it('three expiries that all read HELD still release the stock once', async () => {
    const { event, ticketTypeId, customer, order } = await dueHold(2);
    await setExpiresAt(order.id, past());
    const sawHeld: string[] = [];
    const harness = orderHarness({
      wrap: (inner) =>
        delegatingRepository(inner, {
          // Every trigger reads first, then pauses, so all three pass their check.
          expire: async (o, now, email) => {
            sawHeld.push(o.status);
            await sleep(GAP_MS);
            return inner.expire(o, now, email);
          },
        }),
    });

    const results = await Promise.all([1, 2, 3].map(() => harness.service.expire(order.id)));

    expect(sawHeld).toEqual(['HELD', 'HELD', 'HELD']);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 10, held: 0 });
    expectStockInvariant(stock);
    expect(await readLiveTickets(event.id, customer.userId)).toBe(0);
    expect(harness.emails.sent).toEqual([{ orderId: order.id, kind: 'hold-expired' }]);
  });

  it('CONTROL: three check-then-write expiries release the stock three times', async () => {
    const { event, ticketTypeId, order } = await dueHold(2);
    const harness = orderHarness();

    const checkThenWrite = async () => {
      const current = await harness.repository.get(order.id);
      if (current?.status !== 'HELD') return false;
      await sleep(GAP_MS);
      await releaseStockUnguarded(event.id, ticketTypeId, 2);
      return true;
    };
    const results = await Promise.all([1, 2, 3].map(checkThenWrite));

    expect(results.filter(Boolean)).toHaveLength(3);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock.available).toBeGreaterThan(stock.capacity);
    expect(stock.held).toBeLessThan(0);
  });
});

describe('the sweep: expiry through the due index', () => {
  it('expires holds whose schedule never fired or could not be created, oldest first, and leaves live ones', async () => {
    // Prepare: on 2001-01-01, three holds; nothing ever fires their schedules (the
    // third's could not even be created), and a fourth is still live at sweep time.
    const clock = new ManualClock('2001-01-01T00:00:00.000Z');
    const harness = orderHarness({ clock });
    const event = await createPublishedEvent(organizerContext(), {
      holdSeconds: 600,
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const customers = Array.from({ length: 4 }, () => principalOf(customerContext()));
    const orders = [];
    for (const [index, customer] of customers.entries()) {
      if (index === 2) harness.scheduler.failure = new Error('scheduler unavailable');
      if (index === 3) {
        harness.scheduler.failure = undefined;
        clock.set('2001-01-01T00:30:00.000Z');
      }
      orders.push(
        await harness.service.hold(customer, event.id, { items: [{ ticketTypeId, quantity: 1 }] }),
      );
    }
    expect(harness.recoverable.map((e) => e.message)).toEqual([
      'Could not schedule the hold expiry',
    ]);
    expect(orders.map((o) => o.status)).toEqual(['HELD', 'HELD', 'HELD', 'HELD']);
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({ available: 6, held: 4 });

    // Act: a sweep at 00:35, when the first three have run out and the fourth has not
    clock.set('2001-01-01T00:35:00.000Z');
    const result = await harness.service.sweep();

    // Assess
    expect(result).toMatchObject({ expired: 3, recovered: 0 });
    const statuses = await Promise.all(
      orders.map(async (o) => (await readOrderItem(o.id))?.status),
    );
    expect(statuses).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED', 'HELD']);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 9, held: 1 });
    expectStockInvariant(stock);
    expect(
      harness.emails.sent.filter((m) => m.kind === 'hold-expired').map((m) => m.orderId),
    ).toEqual(orders.slice(0, 3).map((o) => o.id));

    // A second sweep finds nothing more to do, and a late schedule is harmless.
    expect(await harness.service.sweep()).toMatchObject({ expired: 0, recovered: 0 });
    expect(await harness.service.expire(orders[0]?.id ?? '')).toBe(false);
    expect(await readTicketType(event.id, ticketTypeId)).toEqual(stock);

    // Leave nothing due in this test's corner of the due index for the next ones.
    const [, , , live] = orders;
    const [, , , liveCustomer] = customers;
    if (!live || !liveCustomer) throw new Error('no live hold');
    expect((await harness.service.cancel(liveCustomer, live.id)).status).toBe('CANCELLED');
  });

  it('finishes a payment whose confirmation failed after the charge, once, without a second payment id', async () => {
    // Prepare: on 2002-01-01 a payment is captured, then the confirming write fails
    const clock = new ManualClock('2002-01-01T00:00:00.000Z');
    let failConfirm = true;
    const harness = orderHarness({
      clock,
      wrap: (inner) =>
        delegatingRepository(inner, {
          confirm: async (order, payment) => {
            if (failConfirm) {
              failConfirm = false;
              throw new Error('network lost after capture');
            }
            return inner.confirm(order, payment);
          },
        }),
    });
    const event = await createPublishedEvent(organizerContext(), {
      holdSeconds: 600,
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const customer = principalOf(customerContext());
    const order = await harness.service.hold(customer, event.id, {
      items: [{ ticketTypeId, quantity: 2 }],
    });
    await expect(harness.service.pay(customer, order.id, 'tok_visa')).rejects.toThrow(
      'network lost after capture',
    );

    // The order is stuck in PAYING: reads show HELD, a second pay is refused, the
    // expiry job leaves it alone, and it is never both charged and released.
    expect((await readOrderItem(order.id))?.status).toBe('PAYING');
    expect((await harness.service.get(customer, order.id)).status).toBe('HELD');
    await expect(harness.service.pay(customer, order.id, 'tok_visa')).rejects.toMatchObject({
      code: 'ORDER_NOT_PAYABLE',
    });
    clock.set('2002-01-01T00:11:00.000Z');
    expect(await harness.service.expire(order.id)).toBe(false);
    // Within the grace period after its expiry, the sweep does not touch it either.
    expect(await harness.service.sweep()).toMatchObject({ expired: 0, recovered: 0 });
    expect((await readOrderItem(order.id))?.status).toBe('PAYING');
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({ held: 2, sold: 0 });

    // Act: past the grace period
    clock.set('2002-01-01T00:13:00.000Z');
    const result = await harness.service.sweep();

    // Assess
    expect(result).toMatchObject({ expired: 0, recovered: 1 });
    const stored = await readOrderItem(order.id);
    expect(stored).toMatchObject({ status: 'CONFIRMED', paymentId: `pay_${order.id}` });
    expect(stored).not.toHaveProperty('paymentToken');
    // The gateway was asked twice for the same order; it is idempotent per order, so one payment.
    expect(harness.payments.capturesOf(order.id).map((c) => c.orderId)).toEqual([
      order.id,
      order.id,
    ]);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 8, held: 0, sold: 2, revenueCents: 2000 });
    expectStockInvariant(stock);
    expect(harness.emails.sent).toEqual([{ orderId: order.id, kind: 'order-confirmed' }]);
    expect(await harness.service.sweep()).toMatchObject({ expired: 0, recovered: 0 });
  });

  it('keeps expiring other holds when one interrupted payment cannot be finished', async () => {
    // Prepare: on 2003-01-01, hold A's payment is stuck (the gateway is down), and hold B,
    // due a minute after A, is an ordinary lapsed hold.
    const clock = new ManualClock('2003-01-01T00:00:00.000Z');
    const harness = orderHarness({ clock });
    const event = await createPublishedEvent(organizerContext(), {
      holdSeconds: 600,
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const [a, b] = [principalOf(customerContext()), principalOf(customerContext())];
    const stuck = await harness.service.hold(a, event.id, {
      items: [{ ticketTypeId, quantity: 1 }],
    });
    clock.set('2003-01-01T00:01:00.000Z');
    const lapsed = await harness.service.hold(b, event.id, {
      items: [{ ticketTypeId, quantity: 1 }],
    });
    harness.payments.failure = new Error('gateway unavailable');
    await expect(harness.service.pay(a, stuck.id, 'tok_visa')).rejects.toThrow(
      'gateway unavailable',
    );
    expect((await readOrderItem(stuck.id))?.status).toBe('PAYING');

    // Act: an hour later, the gateway still down
    clock.set('2003-01-01T01:00:00.000Z');
    const sweep = await harness.service.sweep().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );

    // Assess: the lapsed hold is expired regardless; the stuck one waits for the next sweep.
    // This was a bug once: the sweep rethrew the gateway error at the stuck payment and
    // stopped, so every due hold behind it (oldest first: all of them) stayed HELD and the
    // outbox relay never ran, on every sweep until the gateway recovered. The sweep now
    // repairs each order on its own and reports the one that fails.
    expect(sweep).toMatchObject({ ok: true, value: { expired: 1, recovered: 0 } });
    expect((await readOrderItem(lapsed.id))?.status).toBe('EXPIRED');
    expect((await readOrderItem(stuck.id))?.status).toBe('PAYING');
    expectStockInvariant(await readTicketType(event.id, ticketTypeId));
  });
});
