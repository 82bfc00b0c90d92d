import { setTimeout as sleep } from 'node:timers/promises';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import { eventKeys, orderKeys } from '../../shared/db/table.js';
import { OrderNotPayable } from '../../shared/domain/errors.js';
import type { Order } from '../../shared/domain/order-model.js';
import type { OrderRepository } from '../../shared/domain/order-ports.js';
import { createPublishedEvent, readTicketType } from '../support/events-api.js';
import { customerContext, organizerContext } from '../support/events-fixtures.js';
import {
  delegatingRepository,
  documentClient,
  expectStockInvariant,
  hold,
  listAllOrders,
  ManualClock,
  mapBounded,
  orderHarness,
  principalOf,
  readEventOrders,
  readLiveTickets,
  readOrderItem,
  releaseStockUnguarded,
  tableName,
} from '../support/orders-api.js';

/*
 * The races that matter for stock: many buyers for the last tickets, and a payment
 * against the expiry of the same hold. Each has a control that runs the same race
 * without the guard and shows it really goes wrong, so a pass means the guard held.
 */

const CAPACITY = 100;
const ATTEMPTS = 1_000;
/** Requests in flight at once: a real crowd, bounded so 2 cores finish in seconds. */
const IN_FLIGHT = 100;

describe('1,000 buyers for 100 tickets', () => {
  it('sells exactly the capacity: 100 holds, 900 SOLD_OUT, counters and orders agree', async () => {
    // Prepare
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 2500, capacity: CAPACITY }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const buyers = Array.from({ length: ATTEMPTS }, () => customerContext());

    // Act
    const responses = await mapBounded(buyers, IN_FLIGHT, (buyer) =>
      hold(buyer, event.id, [{ ticketTypeId, quantity: 1 }]),
    );

    // Assess: the responses
    const unexpected = responses.filter((r) => r.status !== 201 && r.status !== 409);
    expect(unexpected.map((r) => JSON.stringify(r.body))).toEqual([]);
    const won = responses.filter((r) => r.status === 201);
    const lost = responses.filter((r) => r.status === 409);
    expect(won).toHaveLength(CAPACITY);
    expect(lost).toHaveLength(ATTEMPTS - CAPACITY);
    for (const response of lost) expect(response.body.code).toBe('SOLD_OUT');
    for (const response of won) expect(response.body.status).toBe('HELD');

    // Assess: the authoritative counters
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ capacity: CAPACITY, available: 0, held: CAPACITY, sold: 0 });
    expectStockInvariant(stock);

    // Assess: the orders, through the API (paged) and item by item (strongly consistent)
    const listed = await listAllOrders(organizer, event.id, { status: 'HELD' });
    const heldQuantity = listed.reduce(
      (sum, order) => sum + order.items.reduce((s: number, i: any) => s + i.quantity, 0),
      0,
    );
    expect(heldQuantity).toBe(stock.capacity - stock.available);
    expect(new Set(listed.map((order) => order.id))).toEqual(
      new Set(won.map((response) => response.body.id)),
    );
    const stored = await readEventOrders(event.id);
    expect(stored).toHaveLength(CAPACITY);
    expect(stored.every((order) => order.status === 'HELD')).toBe(true);

    // Each winner holds exactly one live ticket; the losers none.
    const winners = new Set(stored.map((order) => order.customer.userId));
    const sample = [
      ...buyers.filter((b) => winners.has(b.userId)).slice(0, 20),
      ...buyers.slice(0, 20),
    ];
    for (const buyer of sample) {
      expect(await readLiveTickets(event.id, buyer.userId)).toBe(winners.has(buyer.userId) ? 1 : 0);
    }
  });

  it('CONTROL: the same crowd against a read-then-write hold oversells', async () => {
    // Prepare
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 2500, capacity: CAPACITY }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const controlPartition = `CONTROL#${event.id}`;

    /** Reads what is left, then writes "one fewer" unconditionally and records an order. */
    const readThenWriteHold = async (attempt: number): Promise<boolean> => {
      const stock = await readTicketType(event.id, ticketTypeId);
      if (stock.available < 1) return false;
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: eventKeys.inventory(event.id),
          UpdateExpression:
            'SET ticketTypes.#t.available = :available, ticketTypes.#t.held = :held',
          ExpressionAttributeNames: { '#t': ticketTypeId },
          ExpressionAttributeValues: { ':available': stock.available - 1, ':held': stock.held + 1 },
        }),
      );
      await documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: controlPartition, sk: `ORDER#${attempt}`, quantity: 1 },
        }),
      );
      return true;
    };

    // Act
    const outcomes = await mapBounded(
      Array.from({ length: ATTEMPTS }, (_, i) => i),
      IN_FLIGHT,
      readThenWriteHold,
    );

    // Assess: more orders than tickets, and counters that no longer add up
    const controlOrders = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': controlPartition },
        ConsistentRead: true,
        Select: 'COUNT',
      }),
    );
    const sold = outcomes.filter(Boolean).length;
    expect(controlOrders.Count).toBe(sold);
    expect(sold).toBeGreaterThan(CAPACITY);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock.capacity - stock.available).not.toBe(sold);
  });
});

/*
 * Pay and expiry of the same hold at the same instant. The payer's clock is a
 * millisecond before the expiry, the expiry job's exactly at it (two Lambdas a hair
 * apart): each reads the hold as HELD and goes ahead, so only the conditional writes
 * decide. Both sides pause briefly between their read and their write so the windows
 * overlap on every order, and the run is checked to have really raced.
 */
const RACES = 200;
const RACE_IN_FLIGHT = 20;
const READ_WRITE_GAP_MS = 10;

describe('pay racing expiry', () => {
  async function holdsExpiringTogether(count: number, capacity: number) {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      holdSeconds: 600,
      ticketTypes: [{ name: 'GA', priceCents: 1500, capacity }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const start = new Date();
    const setup = orderHarness({ clock: new ManualClock(start) });
    const customers = Array.from({ length: count }, () => principalOf(customerContext()));
    const orders = await mapBounded(customers, 25, (customer, index) =>
      setup.service.hold(customer, event.id, {
        items: [{ ticketTypeId, quantity: (index % 3) + 1 }],
      }),
    );
    const expiresAt = new Date(start.getTime() + 600_000);
    for (const order of orders) expect(order.expiresAt).toBe(expiresAt.toISOString());
    return { event, ticketTypeId, customers, orders, expiresAt };
  }

  it('ends every order in exactly one state: CONFIRMED xor EXPIRED, never both, never charged when expired', async () => {
    // Prepare
    const { event, ticketTypeId, customers, orders, expiresAt } = await holdsExpiringTogether(
      RACES,
      RACES * 3,
    );
    const seenByPayer = new Map<string, string>();
    const seenByExpiry = new Map<string, string>();
    const payer = orderHarness({
      clock: new ManualClock(new Date(expiresAt.getTime() - 1)),
      wrap: (inner) =>
        delegatingRepository(inner, {
          get: async (id) => {
            const order = await inner.get(id);
            if (order && !seenByPayer.has(id)) seenByPayer.set(id, order.status);
            return order;
          },
          startPayment: async (order, token, now) => {
            await sleep(Math.random() * READ_WRITE_GAP_MS * 2);
            return inner.startPayment(order, token, now);
          },
        }),
    });
    const expirer = orderHarness({
      clock: new ManualClock(expiresAt),
      wrap: (inner) =>
        delegatingRepository(inner, {
          get: async (id) => {
            const order = await inner.get(id);
            if (order && !seenByExpiry.has(id)) seenByExpiry.set(id, order.status);
            return order;
          },
          expire: async (order, now, email) => {
            await sleep(READ_WRITE_GAP_MS);
            return inner.expire(order, now, email);
          },
        }),
    });

    // Act: for each hold, pay and expire fired together, in random order
    const results = await mapBounded(orders, RACE_IN_FLIGHT, async (order, index) => {
      const customer = customers[index];
      if (!customer) throw new Error('no customer');
      const pay = () => payer.service.pay(customer, order.id, 'tok_visa');
      const expire = () => expirer.service.expire(order.id);
      const [paid, expired] =
        Math.random() < 0.5
          ? await Promise.allSettled([pay(), expire()])
          : (await Promise.allSettled([expire(), pay()])).reverse();
      return { paid, expired } as {
        paid: PromiseSettledResult<unknown>;
        expired: PromiseSettledResult<boolean>;
      };
    });

    // Assess: each order, from the store
    let confirmed = 0;
    let expiredCount = 0;
    let soldTickets = 0;
    let revenue = 0;
    await mapBounded(orders, 20, async (view, index) => {
      const stored = (await readOrderItem(view.id)) as Order;
      const { paid, expired } = results[index] ?? {};
      const quantity = (index % 3) + 1;
      expect(['CONFIRMED', 'EXPIRED']).toContain(stored.status);
      expect(expired?.status, 'expire never fails').toBe('fulfilled');
      const customer = customers[index];
      if (!customer?.userId) throw new Error('no customer');
      if (stored.status === 'CONFIRMED') {
        confirmed++;
        soldTickets += quantity;
        revenue += quantity * 1500;
        expect(paid?.status).toBe('fulfilled');
        expect(expired).toEqual({ status: 'fulfilled', value: false });
        expect(stored.paymentId).toBe(`pay_${view.id}`);
        expect(payer.payments.capturesOf(view.id)).toHaveLength(1);
        expect(await readLiveTickets(event.id, customer.userId)).toBe(quantity);
      } else {
        expiredCount++;
        expect(paid?.status).toBe('rejected');
        expect((paid as PromiseRejectedResult).reason).toBeInstanceOf(OrderNotPayable);
        expect(expired).toEqual({ status: 'fulfilled', value: true });
        expect(stored.paymentId).toBeUndefined();
        expect(stored.paidAt).toBeUndefined();
        expect(payer.payments.capturesOf(view.id)).toEqual([]);
        expect(await readLiveTickets(event.id, customer.userId)).toBe(0);
      }
    });
    expect(confirmed + expiredCount).toBe(RACES);

    // Assess: the counters
    const stock = await readTicketType(event.id, ticketTypeId);
    expectStockInvariant(stock);
    expect(stock).toMatchObject({
      capacity: RACES * 3,
      held: 0,
      sold: soldTickets,
      available: RACES * 3 - soldTickets,
      revenueCents: revenue,
    });

    // Assess: one email per outcome, none for the loser
    expect(payer.emails.sent.filter((m) => m.kind === 'order-confirmed')).toHaveLength(confirmed);
    expect(expirer.emails.sent.filter((m) => m.kind === 'hold-expired')).toHaveLength(expiredCount);
    expect(payer.payments.captures).toHaveLength(confirmed);
    expect(expirer.payments.captures).toEqual([]);

    // Assess: the race really happened. Both sides read HELD first on most orders, and
    // both sides won some: only the conditional writes can have decided.
    const bothSawHeld = orders.filter(
      (o) => seenByPayer.get(o.id) === 'HELD' && seenByExpiry.get(o.id) === 'HELD',
    ).length;
    expect(bothSawHeld).toBeGreaterThan(RACES / 2);
    expect(confirmed).toBeGreaterThan(0);
    expect(expiredCount).toBeGreaterThan(0);
  }, 60_000);

  it('CONTROL: the same race against an expiry that checks, then writes unconditionally, charges expired holds or breaks the counters', async () => {
    // Prepare
    const count = 20;
    const { event, ticketTypeId, customers, orders, expiresAt } = await holdsExpiringTogether(
      count,
      count * 3,
    );
    const payer = orderHarness({ clock: new ManualClock(new Date(expiresAt.getTime() - 1)) });

    /**
     * Reads the hold, sees it HELD and due, then expires it with no condition. The write
     * waits until the payment has charged (at most a second): the interleaving a fixed
     * gap only sometimes produced on a busy machine, forced every time.
     */
    const checkThenWriteExpire = async (orderId: string) => {
      const order = await payer.repository.get(orderId);
      if (order?.status !== 'HELD' || order.expiresAt > expiresAt.toISOString()) return false;
      const giveUp = performance.now() + 1_000;
      while (payer.payments.capturesOf(orderId).length === 0 && performance.now() < giveUp) {
        await sleep(2);
      }
      const quantity = order.items.reduce((sum, item) => sum + item.quantity, 0);
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderKeys.order(orderId),
          UpdateExpression: 'SET #status = :expired',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':expired': 'EXPIRED' },
        }),
      );
      await releaseStockUnguarded(event.id, ticketTypeId, quantity);
      return true;
    };

    // Act
    await mapBounded(orders, RACE_IN_FLIGHT, async (order, index) => {
      const customer = customers[index];
      if (!customer) throw new Error('no customer');
      await Promise.allSettled([
        payer.service.pay(customer, order.id, 'tok_visa'),
        checkThenWriteExpire(order.id),
      ]);
    });

    // Assess: charged holds that ended EXPIRED, or counters that no longer add up
    const chargedButExpired = [];
    for (const order of orders) {
      const stored = await readOrderItem(order.id);
      if (stored?.status === 'EXPIRED' && payer.payments.capturesOf(order.id).length > 0) {
        chargedButExpired.push(order.id);
      }
    }
    const stock = await readTicketType(event.id, ticketTypeId);
    const countersBroken =
      stock.held < 0 || stock.capacity - stock.available !== stock.held + stock.sold;
    expect(chargedButExpired.length > 0 || countersBroken).toBe(true);
    expect(chargedButExpired.length).toBeGreaterThan(0);
  }, 30_000);
});

describe('paying one hold several times at once', () => {
  it('charges once: the others are refused while the payment is in flight, and replay it after', async () => {
    // Prepare: the gateway holds the first capture, so the others surely arrive meanwhile
    const event = await createPublishedEvent(organizerContext(), {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const harness = orderHarness();
    const customer = principalOf(customerContext());
    const order = await harness.service.hold(customer, event.id, {
      items: [{ ticketTypeId, quantity: 2 }],
    });
    const releaseGateway = harness.payments.holdCaptures();

    // Act
    const first = harness.service.pay(customer, order.id, 'tok_visa');
    while ((await readOrderItem(order.id))?.status !== 'PAYING') await sleep(5);
    const during = await Promise.allSettled(
      [1, 2, 3].map(() => harness.service.pay(customer, order.id, 'tok_visa')),
    );
    releaseGateway();
    const paid = await first;
    const after = await Promise.all(
      [1, 2].map(() => harness.service.pay(customer, order.id, 'tok_visa')),
    );

    // Assess
    for (const result of during) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'ORDER_NOT_PAYABLE' });
    }
    expect(paid.status).toBe('CONFIRMED');
    for (const view of after) expect(view).toEqual(paid);
    expect(harness.payments.capturesOf(order.id)).toHaveLength(1);
    expect(harness.emails.sent).toEqual([{ orderId: order.id, kind: 'order-confirmed' }]);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 8, held: 0, sold: 2, revenueCents: 2000 });
    expectStockInvariant(stock);
  });
});

describe('cancelling one paid order several times at once', () => {
  /** A paid order, then five cancels of it at once while the gateway holds every refund. */
  async function fiveCancels(wrap?: (repository: DynamoOrderRepository) => OrderRepository) {
    const event = await createPublishedEvent(organizerContext(), {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const harness = orderHarness(wrap ? { wrap } : {});
    const customer = principalOf(customerContext());
    const order = await harness.service.hold(customer, event.id, {
      items: [{ ticketTypeId, quantity: 2 }],
    });
    await harness.service.pay(customer, order.id, 'tok_visa');
    const releaseGateway = harness.payments.holdRefunds();

    const cancels = Promise.allSettled(
      [1, 2, 3, 4, 5].map(() => harness.service.cancel(customer, order.id)),
    );
    while (harness.payments.refunds.length === 0) await sleep(5);
    // Time for every other cancel to reach the gateway too, were nothing stopping it.
    await sleep(300);
    releaseGateway();
    const results = await cancels;
    const stock = await readTicketType(event.id, ticketTypeId);
    return { harness, order, results, stock };
  }

  it('asks the gateway once: one cancel claims the refund, the others are told to retry', async () => {
    const { harness, order, results, stock } = await fiveCancels();

    expect(harness.payments.refunds.map((refund) => refund.orderId)).toEqual([order.id]);
    const answers = results.map((result) =>
      result.status === 'fulfilled' ? result.value.status : result.reason.code,
    );
    expect(answers.filter((answer) => answer === 'REFUNDED')).toHaveLength(1);
    expect(answers.filter((answer) => answer !== 'REFUNDED')).toEqual(
      Array(4).fill('CONCURRENT_MODIFICATION'),
    );
    expect(await readOrderItem(order.id)).toMatchObject({ status: 'REFUNDED' });
    expect(stock).toMatchObject({ available: 10, held: 0, sold: 0, revenueCents: 0 });
    expect(harness.emails.sent.filter((email) => email.kind === 'order-refunded')).toHaveLength(1);
  });

  it('CONTROL: without the claim before the gateway, every cancel asks it to refund', async () => {
    // The claim skipped: each cancel calls the gateway, then books the refund (claim and
    // booking in one go), as the refund did before it was claimed first.
    const { harness, order, stock } = await fiveCancels((inner) =>
      delegatingRepository(inner, {
        startRefund: async () => true,
        refund: async (order, now) => {
          const claim = { now, email: 'order-refunded' as const, recoverAt: now };
          await inner.startRefund({ ...order, status: 'CONFIRMED' }, claim);
          return inner.refund(order, now);
        },
      }),
    );

    expect(harness.payments.refunds.map((refund) => refund.orderId)).toEqual(
      Array(5).fill(order.id),
    );
    // The store still books it once: the money, not the stock, is what went wrong.
    expect(await readOrderItem(order.id)).toMatchObject({ status: 'REFUNDED' });
    expect(stock).toMatchObject({ available: 10, held: 0, sold: 0 });
  });
});

describe('event cancellation racing a payment', () => {
  it('releases every other hold and ends the paid order refunded when a payment is in flight', async () => {
    // Prepare: three holds, then a fourth (the newest, listed first) whose payment is
    // in flight at the gateway while the organizer cancels the event
    const organizerCtx = organizerContext();
    const organizer = principalOf(organizerCtx);
    const event = await createPublishedEvent(organizerCtx, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 20 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const harness = orderHarness();
    const holds = [];
    for (let i = 0; i < 4; i++) {
      const customer = principalOf(customerContext());
      const order = await harness.service.hold(customer, event.id, {
        items: [{ ticketTypeId, quantity: 1 }],
      });
      holds.push({ customer, order });
      harness.clock.advance(1);
    }
    const paying = holds[3];
    if (!paying) throw new Error('no hold');
    const releaseGateway = harness.payments.holdCaptures();
    const payment = harness.service.pay(paying.customer, paying.order.id, 'tok_visa');
    while ((await readOrderItem(paying.order.id))?.status !== 'PAYING') await sleep(5);
    const { eventService } = await import('../../shared/composition/events.js');

    // Act: cancel the event, then let the payment finish
    const cancelled = await harness.service.cancelEvent(organizer, event.id, eventService).then(
      (view) => view.status,
      (error: { code?: string }) => `rejected ${error.code}`,
    );
    releaseGateway();
    const paid = await payment.then(
      (view) => view.status,
      (error: { code?: string }) => `rejected ${error.code}`,
    );
    // No retry by the organizer: the event already shows CANCELLED, whatever was answered.
    const finalStatuses = await Promise.all(
      holds.map(async ({ order }) => (await readOrderItem(order.id))?.status),
    );
    const stock = await readTicketType(event.id, ticketTypeId);

    // Assess: SPEC — every held order released, every confirmed order refunded. (Once,
    // cancelEvent threw CONCURRENT_MODIFICATION at the PAYING order and left the others
    // HELD, and the payment confirmed on the cancelled event unrefunded.)
    expect({
      cancelled,
      others: finalStatuses.slice(0, 3),
      paying: finalStatuses[3],
      stock: { available: stock.available, held: stock.held, sold: stock.sold },
      paid,
    }).toEqual({
      cancelled: 'CANCELLED',
      others: ['CANCELLED', 'CANCELLED', 'CANCELLED'],
      // Either the payment is refused (never charged) or it is refunded once made.
      paying: paid === 'CONFIRMED' ? 'REFUNDED' : expect.stringMatching(/^(CANCELLED|REFUNDED)$/),
      stock: { available: 20, held: 0, sold: 0 },
      paid,
    });
  });
});
