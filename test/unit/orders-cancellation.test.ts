import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationFailed } from '../../shared/domain/errors.js';
import type { EventState } from '../../shared/domain/event-model.js';
import type { EventRepository, PendingCancellation } from '../../shared/domain/event-ports.js';
import type { Order } from '../../shared/domain/order-model.js';
import type { OrderListQuery, OrderRepository } from '../../shared/domain/order-ports.js';
import type { WaitlistRepository } from '../../shared/domain/waitlist-ports.js';
import { eventState, principals } from '../support/events-fixtures.js';
import { noMetrics } from '../support/metrics.js';
import { orderUnits } from '../support/order-units.js';
import { domainOrder } from '../support/orders-fixtures.js';

const NOW = '2030-01-01T12:00:00.000Z';
const CANCELLED_AT = '2030-01-01T11:00:00.000Z';
const GRACE_MS = 60_000;

const LIVE = new Set(['HELD', 'PAYING', 'CONFIRMED', 'REFUNDING']);

/**
 * The order units over in-memory fakes of cancelled events and their orders, newest
 * first. The queue of pending cancellations works as the due index does (longest waiting
 * first, ties by id); the listing reads `pageSize` orders a page, whatever their status,
 * and returns the live ones, as a filtered Query does, with cursors `at:<index>`; it
 * refuses any other cursor as the real one refuses one that does not decode. A
 * cancellation ends only once none of its orders is live, as the conditional write
 * does. Refunds fail for `failingRefunds` and each takes `refundMs` of (mocked) real
 * time; reads of `failingEvents` fail, and so does every listing with `listingFails`.
 */
function world(options: {
  pending: (string | PendingCancellation)[];
  orders: Record<string, Order[]>;
  pageSize?: number;
  refundMs?: number;
  failingEvents?: string[];
  failingRefunds?: string[];
  listingFails?: boolean;
}) {
  const { pageSize = 100, refundMs = 0 } = options;
  let elapsed = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => elapsed);
  let now = Date.parse(NOW);
  const reported: { message: string; error: unknown }[] = [];
  const refunded: string[] = [];
  const ended: string[] = [];
  const pendingQueries: [string, number][] = [];
  /** Every listing: the event, the cursor it started from, and the orders it read. */
  const listings: { eventId: string; cursor: string | null; read: string[] }[] = [];
  const queue = new Map(
    options.pending.map((entry): [string, PendingCancellation] => {
      const pending =
        typeof entry === 'string'
          ? { eventId: entry, queuedAt: CANCELLED_AT, cursor: null }
          : entry;
      return [pending.eventId, pending];
    }),
  );
  const store = Object.fromEntries(
    Object.entries(options.orders).map(([eventId, orders]) => [
      eventId,
      orders.map((order) => ({ ...order })),
    ]),
  );
  const ordersOf = (eventId: string) => store[eventId] ?? [];
  const NOTHING_POOLED = { pooled: [] };
  // Nobody waits in these scenarios: the lines are empty.
  const noWaitlist = { line: async () => [] } as unknown as WaitlistRepository;
  const setStatus = (order: Order, status: Order['status']) => {
    const stored = ordersOf(order.eventId).find(({ id }) => id === order.id);
    if (stored) stored.status = status;
    return true;
  };

  const events = {
    get: async (eventId: string): Promise<EventState | null> => {
      if (options.failingEvents?.includes(eventId)) throw new Error(`boom ${eventId}`);
      return eventState({ id: eventId, status: 'CANCELLED' });
    },
    pendingCancellations: async (before: string, limit: number) => {
      pendingQueries.push([before, limit]);
      return [...queue.values()]
        .filter(({ queuedAt }) => queuedAt <= before)
        .sort((a, b) => (`${a.queuedAt}#${a.eventId}` < `${b.queuedAt}#${b.eventId}` ? -1 : 1))
        .slice(0, limit)
        .map((entry) => ({ ...entry }));
    },
    requeueCancellation: async (eventId: string, at: string, cursor: string | null) => {
      if (!queue.has(eventId)) return false;
      queue.set(eventId, { eventId, queuedAt: at, cursor });
      return true;
    },
    endCancellation: async (event: EventState) => {
      if (ordersOf(event.id).some(({ status }) => LIVE.has(status))) return false;
      ended.push(event.id);
      return queue.delete(event.id);
    },
  } as unknown as EventRepository;
  const orders = {
    get: async (orderId: string) =>
      Object.values(store)
        .flat()
        .find(({ id }) => id === orderId) ?? null,
    listByEvent: async (eventId: string, query: OrderListQuery) => {
      expect(query.live).toBe(true);
      if (options.listingFails) throw new Error('table unavailable');
      let start = 0;
      if (query.cursor !== undefined) {
        const position = /^at:(\d+)$/.exec(query.cursor)?.[1];
        if (position === undefined) throw new ValidationFailed('The cursor is not valid');
        start = Number(position);
      }
      const read = ordersOf(eventId).slice(start, start + pageSize);
      listings.push({ eventId, cursor: query.cursor ?? null, read: read.map(({ id }) => id) });
      const end = start + read.length;
      return {
        items: read.filter(({ status }) => LIVE.has(status)).map((order) => ({ ...order })),
        nextCursor: end < ordersOf(eventId).length ? `at:${end}` : null,
      };
    },
    eventCursorAfter: (order: Order) =>
      `at:${ordersOf(order.eventId).findIndex(({ id }) => id === order.id) + 1}`,
    startRefund: async (order: Order) =>
      ordersOf(order.eventId).find(({ id }) => id === order.id)?.status === 'CONFIRMED' &&
      setStatus(order, 'REFUNDING'),
    refund: async (order: Order) => setStatus(order, 'REFUNDED') && NOTHING_POOLED,
    cancelHeld: async (order: Order) => setStatus(order, 'CANCELLED') && NOTHING_POOLED,
  } as unknown as OrderRepository;
  const service = orderUnits({
    orders,
    events,
    waitlist: noWaitlist,
    customers: { getByEmail: async () => null },
    scheduler: { scheduleExpiry: async () => {} },
    payments: {
      capture: async () => ({ paymentId: 'pay' }),
      refund: async ({ orderId }) => {
        elapsed += refundMs;
        if (options.failingRefunds?.includes(orderId)) throw new Error(`declined ${orderId}`);
        refunded.push(orderId);
      },
    },
    outbox: { relay: async () => {}, relayPending: async () => 0 },
    clock: { now: () => new Date(now) },
    newId: () => 'id',
    onRecoverableError: (message, error) => reported.push({ message, error }),
    metrics: noMetrics,
  });
  /** The next minute's sweep: past the grace of whatever this one requeued. */
  const nextSweep = () => {
    now += GRACE_MS + 1000;
    return new Date(now).toISOString();
  };
  return { service, reported, refunded, ended, pendingQueries, listings, queue, nextSweep };
}

const paidOrder = (id: string, eventId: string) =>
  domainOrder({ id, eventId, status: 'CONFIRMED', paymentId: `pay_${id}` });
const paidOrders = (eventId: string, ids: string[]) => ids.map((id) => paidOrder(id, eventId));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EventCancellation.finishCancellations (the sweep)', () => {
  it('reports an event that fails, still finishes the ones behind it, and requeues it', async () => {
    const { service, reported, refunded, ended, pendingQueries, queue } = world({
      pending: ['a', 'b', 'c'],
      orders: { a: [paidOrder('a1', 'a')], b: [paidOrder('b1', 'b')], c: [paidOrder('c1', 'c')] },
      failingEvents: ['a'],
    });

    const result = await service.finishCancellations();

    expect(result).toEqual({ released: 2, cancellationsFinished: 2 });
    // A minute's grace for the cancelling request, ten events a run.
    expect(pendingQueries).toEqual([['2030-01-01T11:59:00.000Z', 10]]);
    expect(refunded).toEqual(['b1', 'c1']);
    expect(ended).toEqual(['b', 'c']);
    expect(reported).toEqual([
      { message: 'Sweep could not finish cancelling event a', error: new Error('boom a') },
    ]);
    expect([...queue.values()]).toEqual([{ eventId: 'a', queuedAt: NOW, cursor: null }]);
  });

  it('reports an order that fails, releases the others, and requeues the cancellation', async () => {
    const { service, reported, refunded, ended, queue } = world({
      pending: ['b'],
      orders: { b: paidOrders('b', ['b1', 'b2', 'b3']) },
      failingRefunds: ['b2'],
    });

    expect(await service.finishCancellations()).toEqual({
      released: 2,
      cancellationsFinished: 0,
    });
    expect(refunded).toEqual(['b1', 'b3']);
    expect(ended).toEqual([]);
    expect(reported.map(({ message }) => message)).toEqual([
      'Could not release order b2 of cancelled event b',
    ]);
    // The pass read to the end: the next one starts from the newest order again.
    expect(queue.get('b')).toEqual({ eventId: 'b', queuedAt: NOW, cursor: null });
  });

  it('releases the orders behind ones that keep failing, in the same run', async () => {
    const failing = ['b1', 'b2', 'b3', 'b4'];
    const { service, reported, refunded, ended } = world({
      pending: ['b', 'c'],
      orders: { b: paidOrders('b', [...failing, 'b5', 'b6']), c: [paidOrder('c1', 'c')] },
      failingRefunds: failing,
    });

    expect(await service.finishCancellations()).toEqual({
      released: 3,
      cancellationsFinished: 1,
    });
    expect(refunded).toEqual(['b5', 'b6', 'c1']);
    expect(ended).toEqual(['c']);
    expect(reported).toEqual(
      failing.map((id) => ({
        message: `Could not release order ${id} of cancelled event b`,
        error: new Error(`declined ${id}`),
      })),
    );
  });

  it('stops after ten failed orders and resumes after them in the next run', async () => {
    const failing = Array.from({ length: 12 }, (_, index) => `b${index + 1}`);
    const { service, reported, refunded, listings, queue, nextSweep } = world({
      pending: ['b'],
      orders: { b: paidOrders('b', [...failing, 'b13']) },
      pageSize: 5,
      failingRefunds: failing,
    });

    expect(await service.finishCancellations()).toEqual({
      released: 0,
      cancellationsFinished: 0,
    });
    expect(reported).toHaveLength(10);
    expect(queue.get('b')).toEqual({ eventId: 'b', queuedAt: NOW, cursor: 'at:10' });

    listings.length = 0;
    const secondRun = nextSweep();
    expect(await service.finishCancellations()).toEqual({
      released: 1,
      cancellationsFinished: 0,
    });

    // Straight to the ones behind the failed ten; the pass reached the end, so the next
    // starts from the newest again (and the failed ones keep the cancellation pending).
    expect(listings).toEqual([{ eventId: 'b', cursor: 'at:10', read: ['b11', 'b12', 'b13'] }]);
    expect(refunded).toEqual(['b13']);
    expect(reported.slice(10).map(({ message }) => message)).toEqual([
      'Could not release order b11 of cancelled event b',
      'Could not release order b12 of cancelled event b',
    ]);
    expect(queue.get('b')).toEqual({ eventId: 'b', queuedAt: secondRun, cursor: null });
  });

  it('keeps a cancellation pending while an order of it is being paid', async () => {
    const { service, ended, queue } = world({
      pending: ['b'],
      orders: { b: [domainOrder({ id: 'b1', eventId: 'b', status: 'PAYING' })] },
    });

    expect(await service.finishCancellations()).toEqual({
      released: 0,
      cancellationsFinished: 0,
    });
    expect(ended).toEqual([]);
    expect(queue.get('b')).toEqual({ eventId: 'b', queuedAt: NOW, cursor: null });
  });

  it('starts nothing once its time is spent, and keeps the stored cursor', async () => {
    const { service, refunded, ended, listings, queue } = world({
      pending: [{ eventId: 'b', queuedAt: CANCELLED_AT, cursor: 'at:1' }],
      orders: { b: paidOrders('b', ['b1', 'b2']) },
    });

    expect(await service.finishCancellations({ budgetMs: 0 })).toEqual({
      released: 0,
      cancellationsFinished: 0,
    });
    expect(refunded).toEqual([]);
    expect(ended).toEqual([]);
    expect(listings).toEqual([]);
    expect(queue.get('b')).toEqual({ eventId: 'b', queuedAt: NOW, cursor: 'at:1' });
  });

  it('does not let ten stuck cancellations starve a newer one', async () => {
    const stuck = Array.from({ length: 10 }, (_, index) => `s${index}`);
    const { service, refunded, ended, queue, nextSweep } = world({
      pending: [
        ...stuck.map((eventId) => ({ eventId, queuedAt: CANCELLED_AT, cursor: null })),
        { eventId: 'new', queuedAt: '2030-01-01T11:30:00.000Z', cursor: null },
      ],
      orders: {
        // A payment in flight for hours keeps each of these pending.
        ...Object.fromEntries(
          stuck.map((eventId) => [
            eventId,
            [domainOrder({ id: `${eventId}-1`, eventId, status: 'PAYING' })],
          ]),
        ),
        new: [paidOrder('new-1', 'new')],
      },
    });

    expect(await service.finishCancellations()).toEqual({
      released: 0,
      cancellationsFinished: 0,
    });
    expect(queue.get('new')?.queuedAt).toBe('2030-01-01T11:30:00.000Z');

    nextSweep();
    expect(await service.finishCancellations()).toEqual({
      released: 1,
      cancellationsFinished: 1,
    });
    expect(refunded).toEqual(['new-1']);
    expect(ended).toEqual(['new']);
    expect([...queue.keys()].sort()).toEqual(stuck);
  });

  it('resumes where the last run stopped, without reading what it released again', async () => {
    const ids = ['b1', 'b2', 'b3', 'b4', 'b5'];
    const { service, refunded, ended, listings, queue, nextSweep } = world({
      pending: ['b'],
      orders: { b: paidOrders('b', ids) },
      pageSize: 2,
      refundMs: 10,
    });

    // Three refunds fit in the 25 ms, across the first two pages.
    expect(await service.finishCancellations({ budgetMs: 25 })).toEqual({
      released: 3,
      cancellationsFinished: 0,
    });
    expect(refunded).toEqual(['b1', 'b2', 'b3']);
    expect(queue.get('b')).toEqual({ eventId: 'b', queuedAt: NOW, cursor: 'at:3' });

    listings.length = 0;
    nextSweep();
    expect(await service.finishCancellations()).toEqual({
      released: 2,
      cancellationsFinished: 1,
    });
    expect(listings).toEqual([{ eventId: 'b', cursor: 'at:3', read: ['b4', 'b5'] }]);
    expect(refunded).toEqual(ids);
    expect(ended).toEqual(['b']);
    expect(queue.size).toBe(0);
  });

  it('starts from the newest order when the stored cursor does not decode', async () => {
    const { service, refunded, ended, reported, listings } = world({
      pending: [{ eventId: 'b', queuedAt: CANCELLED_AT, cursor: 'garbage' }],
      orders: { b: paidOrders('b', ['b1', 'b2']) },
    });

    expect(await service.finishCancellations()).toEqual({
      released: 2,
      cancellationsFinished: 1,
    });
    expect(listings).toEqual([{ eventId: 'b', cursor: null, read: ['b1', 'b2'] }]);
    expect(refunded).toEqual(['b1', 'b2']);
    expect(ended).toEqual(['b']);
    expect(reported).toEqual([
      {
        message: 'Stored cursor of cancelled event b is not valid; starting from the newest order',
        error: expect.any(ValidationFailed),
      },
    ]);
  });
});

describe('EventCancellation.cancelEvent', () => {
  it('answers with the cancelled event when releasing its orders fails, and reports it', async () => {
    const { service, reported } = world({ pending: [], orders: {}, listingFails: true });
    const cancelled = { id: 'b', status: 'CANCELLED' } as never;

    const view = await service.cancelEvent(principals.organizer(), 'b', {
      cancel: async () => cancelled,
    });

    expect(view).toBe(cancelled);
    expect(reported).toEqual([
      {
        message: 'Could not release the orders of cancelled event b',
        error: new Error('table unavailable'),
      },
    ]);
  });

  it('stores where it ran out of time, for the sweep to resume there', async () => {
    const { service, refunded, queue } = world({
      pending: [{ eventId: 'b', queuedAt: NOW, cursor: null }],
      orders: { b: paidOrders('b', ['b1', 'b2', 'b3']) },
      refundMs: 4_000,
    });

    await service.cancelEvent(principals.organizer(), 'b', {
      cancel: async () => ({ id: 'b', status: 'CANCELLED' }) as never,
    });

    // 6 s: two refunds started, the third not.
    expect(refunded).toEqual(['b1', 'b2']);
    expect(queue.get('b')).toEqual({ eventId: 'b', queuedAt: NOW, cursor: 'at:2' });
  });
});
