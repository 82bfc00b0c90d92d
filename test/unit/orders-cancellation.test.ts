import { describe, expect, it } from 'vitest';
import type { EventState } from '../../shared/domain/event-model.js';
import type { EventRepository, PendingCancellation } from '../../shared/domain/events.js';
import type { Order } from '../../shared/domain/order-model.js';
import type { OrderRepository } from '../../shared/domain/order-ports.js';
import { OrderService } from '../../shared/domain/orders.js';
import { eventState, principals } from '../support/events-fixtures.js';
import { domainOrder } from '../support/orders-fixtures.js';

const NOW = '2030-01-01T12:00:00.000Z';

/**
 * An OrderService over in-memory fakes: `orders` by event (each listed on one page),
 * cancelled events; refunds that fail for `failingRefunds`, events whose read fails,
 * and a listing that fails with `listingFails`.
 */
function world(options: {
  pending: string[];
  orders: Record<string, Order[]>;
  failingEvents?: string[];
  failingRefunds?: string[];
  listingFails?: boolean;
}) {
  const reported: { message: string; error: unknown }[] = [];
  const refunded: string[] = [];
  const ended: string[] = [];
  const pendingQueries: [string, number][] = [];
  const events = {
    get: async (eventId: string): Promise<EventState | null> => {
      if (options.failingEvents?.includes(eventId)) throw new Error(`boom ${eventId}`);
      return eventState({ id: eventId, status: 'CANCELLED' });
    },
    pendingCancellations: async (before: string, limit: number) => {
      pendingQueries.push([before, limit]);
      return options.pending.map(
        (eventId): PendingCancellation => ({ eventId, cancelledAt: '2030-01-01T11:00:00.000Z' }),
      );
    },
    endCancellation: async (event: EventState) => {
      ended.push(event.id);
      return true;
    },
  } as unknown as EventRepository;
  const orders = {
    listByEvent: async (eventId: string, query: { live?: boolean }) => {
      expect(query.live).toBe(true);
      if (options.listingFails) throw new Error('table unavailable');
      return { items: options.orders[eventId] ?? [], nextCursor: null };
    },
    refund: async () => true,
  } as unknown as OrderRepository;
  const service = new OrderService({
    orders,
    events,
    customers: { getByEmail: async () => null },
    scheduler: { scheduleExpiry: async () => {} },
    payments: {
      capture: async () => ({ paymentId: 'pay' }),
      refund: async ({ orderId }) => {
        if (options.failingRefunds?.includes(orderId)) throw new Error(`declined ${orderId}`);
        refunded.push(orderId);
      },
    },
    outbox: { relay: async () => {}, relayPending: async () => 0 },
    clock: { now: () => new Date(NOW) },
    newId: () => 'id',
    onRecoverableError: (message, error) => reported.push({ message, error }),
  });
  return { service, reported, refunded, ended, pendingQueries };
}

const paidOrder = (id: string, eventId: string) =>
  domainOrder({ id, eventId, status: 'CONFIRMED', paymentId: `pay_${id}` });

describe('OrderService.finishCancellations (the sweep)', () => {
  it('reports an event that fails and still finishes the ones behind it', async () => {
    const { service, reported, refunded, ended, pendingQueries } = world({
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
  });

  it('reports an order that fails, releases the others, and leaves the cancellation pending', async () => {
    const { service, reported, refunded, ended } = world({
      pending: ['b'],
      orders: { b: ['b1', 'b2', 'b3'].map((id) => paidOrder(id, 'b')) },
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
  });

  it('gives up on an event for this run after three failed orders in a row', async () => {
    const ids = ['b1', 'b2', 'b3', 'b4'];
    const { service, reported, refunded, ended } = world({
      pending: ['b', 'c'],
      orders: { b: ids.map((id) => paidOrder(id, 'b')), c: [paidOrder('c1', 'c')] },
      failingRefunds: ids,
    });

    expect(await service.finishCancellations()).toEqual({
      released: 1,
      cancellationsFinished: 1,
    });
    expect(refunded).toEqual(['c1']);
    expect(ended).toEqual(['c']);
    expect(reported).toEqual([
      { message: 'Could not release order b1 of cancelled event b', error: expect.any(Error) },
      { message: 'Could not release order b2 of cancelled event b', error: expect.any(Error) },
      { message: 'Sweep could not finish cancelling event b', error: new Error('declined b3') },
    ]);
  });

  it('keeps a cancellation pending while an order of it is being paid', async () => {
    const { service, ended } = world({
      pending: ['b'],
      orders: { b: [domainOrder({ id: 'b1', eventId: 'b', status: 'PAYING' })] },
    });

    expect(await service.finishCancellations()).toEqual({
      released: 0,
      cancellationsFinished: 0,
    });
    expect(ended).toEqual([]);
  });

  it('starts nothing once its time is spent', async () => {
    const { service, refunded, ended } = world({
      pending: ['b'],
      orders: { b: [paidOrder('b1', 'b')] },
    });

    expect(await service.finishCancellations({ budgetMs: 0 })).toEqual({
      released: 0,
      cancellationsFinished: 0,
    });
    expect(refunded).toEqual([]);
    expect(ended).toEqual([]);
  });
});

describe('OrderService.cancelEvent', () => {
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
});
