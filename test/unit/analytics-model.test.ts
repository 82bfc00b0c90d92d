import { describe, expect, it } from 'vitest';
import {
  analyticsQuerySchema,
  analyticsWindow,
  type EventTotals,
  emptyTotals,
  eventStatsQuerySchema,
  toAnalytics,
  toEventStats,
} from '../../shared/domain/analytics-model.js';
import { ValidationFailed } from '../../shared/domain/errors.js';
import { eventState, ticketTypeState } from '../support/events-fixtures.js';

const NOW = new Date('2027-03-10T15:00:00.000Z');

describe('analytics query and window', () => {
  const parse = (query: Record<string, string>) => analyticsQuerySchema.parse(query);

  it('defaults to the 30 UTC days ending today', () => {
    const window = analyticsWindow(parse({}), NOW);

    expect(window).toMatchObject({ from: '2027-02-09', to: '2027-03-10' });
    expect(window.days).toHaveLength(30);
    expect(window.days[0]).toBe('2027-02-09');
    expect(window.days.at(-1)).toBe('2027-03-10');
  });

  it('takes dates as days and date-times as the UTC day they fall on', () => {
    const window = analyticsWindow(
      parse({ from: '2024-02-28T23:30:00-02:00', to: '2024-03-01' }),
      NOW,
    );

    expect(window.days).toEqual(['2024-02-29', '2024-03-01']);
  });

  it('defaults the start to 30 days before an explicit end', () => {
    expect(analyticsWindow(parse({ to: '2026-01-05' }), NOW).from).toBe('2025-12-07');
  });

  it('accepts a window of 366 days and refuses 367 with VALIDATION_FAILED', () => {
    expect(analyticsWindow(parse({ from: '2024-01-01', to: '2024-12-31' }), NOW).days).toHaveLength(
      366,
    );
    expect(() => analyticsWindow(parse({ from: '2023-12-31', to: '2024-12-31' }), NOW)).toThrow(
      ValidationFailed,
    );
  });

  it('refuses a start after the end, including a start after today with no end', () => {
    expect(() => analyticsWindow(parse({ from: '2027-03-02', to: '2027-03-01' }), NOW)).toThrow(
      ValidationFailed,
    );
    expect(() => analyticsWindow(parse({ from: '2027-03-11' }), NOW)).toThrow(ValidationFailed);
  });

  it('refuses unknown parameters and values that are not days', () => {
    expect(analyticsQuerySchema.safeParse({ since: '2027-01-01' }).success).toBe(false);
    for (const from of ['2027-02-30', 'yesterday', '2027-3-1', '']) {
      expect(analyticsQuerySchema.safeParse({ from }).success, from).toBe(false);
    }
    expect(eventStatsQuerySchema.safeParse({ verbose: 'true' }).success).toBe(false);
  });

  it('refuses days before 1970, and never defaults the start past it', () => {
    for (const day of ['0000-01-10', '1969-12-31', '1969-12-31T23:59:59Z']) {
      expect(analyticsQuerySchema.safeParse({ to: day }).success, day).toBe(false);
    }
    // 1970-01-01T00:30+01:00 is still 1969 in UTC.
    expect(analyticsQuerySchema.safeParse({ from: '1970-01-01T00:30:00+01:00' }).success).toBe(
      false,
    );

    const window = analyticsWindow(parse({ to: '1970-01-10' }), NOW);
    expect(window.from).toBe('1970-01-01');
    expect(window.days).toHaveLength(10);
  });
});

describe('event stats from the counters', () => {
  const event = eventState({
    currency: 'EUR',
    orderCount: 9,
    resolvedOrders: { confirmed: 3, cancelled: 1, expired: 1, refunded: 1 },
    ticketTypes: [
      ticketTypeState({
        id: 'tt-vip',
        name: 'VIP',
        position: 1,
        capacity: 10,
        available: 4,
        held: 2,
        sold: 4,
        revenueCents: 40_000,
      }),
      ticketTypeState({
        id: 'tt-ga',
        name: 'GA',
        position: 0,
        capacity: 100,
        available: 93,
        held: 3,
        sold: 4,
        revenueCents: 20_000,
      }),
    ],
  });

  it('sums the ticket types, in their order, and derives the orders still held', () => {
    const stats = toEventStats(event, 0);

    expect(stats).toEqual({
      currency: 'EUR',
      capacity: 110,
      sold: 8,
      held: 5,
      available: 97,
      revenueCents: 60_000,
      orders: { held: 3, confirmed: 3, cancelled: 1, expired: 1, refunded: 1 },
      ticketTypes: [
        {
          id: 'tt-ga',
          name: 'GA',
          capacity: 100,
          sold: 4,
          held: 3,
          available: 93,
          revenueCents: 20_000,
        },
        {
          id: 'tt-vip',
          name: 'VIP',
          capacity: 10,
          sold: 4,
          held: 2,
          available: 4,
          revenueCents: 40_000,
        },
      ],
    });
  });

  it('shows overdue holds as expired orders while their tickets stay held until released', () => {
    const stats = toEventStats(event, 2);

    expect(stats.orders).toEqual({ held: 1, confirmed: 3, cancelled: 1, expired: 3, refunded: 1 });
    expect(stats).toMatchObject({ held: 5, available: 97 });
  });
});

describe('analytics from the day counters', () => {
  const window = { from: '2027-03-01', to: '2027-03-02', days: ['2027-03-01', '2027-03-02'] };
  const totals = (overrides: Partial<EventTotals>): EventTotals => ({
    ...emptyTotals('USD'),
    ...overrides,
  });

  it('sums the events and rates cancellations among every order that left HELD', () => {
    const analytics = toAnalytics(
      window,
      new Map([
        ['ev-a', totals({ confirmed: 2, expired: 1, ticketsSold: 5, revenueCents: 500 })],
        [
          'ev-b',
          totals({ cancelled: 1, refunded: 1, confirmed: 1, ticketsSold: 2, revenueCents: 300 }),
        ],
        ['ev-c', totals({ currency: 'EUR', confirmed: 1, ticketsSold: 1, revenueCents: 70 })],
        // Only refunds: counted as an event with a resolved order, sells nothing.
        ['ev-d', totals({ refunded: 2 })],
      ]),
      new Map([
        ['ev-a', { name: 'A', capacity: 20 }],
        ['ev-b', { name: 'B', capacity: 3 }],
        ['ev-c', { name: 'C', capacity: 7 }],
      ]),
    );

    expect(analytics).toEqual({
      from: '2027-03-01',
      to: '2027-03-02',
      events: 4,
      ordersConfirmed: 4,
      ticketsSold: 8,
      revenueCents: 870,
      revenueByCurrency: { USD: 800, EUR: 70 },
      // (1 cancelled + 3 refunded) ÷ 9 resolved orders
      cancellationRate: 0.4444,
      topEvents: [
        {
          eventId: 'ev-a',
          name: 'A',
          currency: 'USD',
          ticketsSold: 5,
          revenueCents: 500,
          utilization: 0.25,
        },
        {
          eventId: 'ev-b',
          name: 'B',
          currency: 'USD',
          ticketsSold: 2,
          revenueCents: 300,
          utilization: 0.6667,
        },
        {
          eventId: 'ev-c',
          name: 'C',
          currency: 'EUR',
          ticketsSold: 1,
          revenueCents: 70,
          utilization: 0.1429,
        },
      ],
    });
  });

  it('is all zeros, rate included, for a window without resolved orders', () => {
    expect(toAnalytics(window, new Map(), new Map())).toEqual({
      from: '2027-03-01',
      to: '2027-03-02',
      events: 0,
      ordersConfirmed: 0,
      ticketsSold: 0,
      revenueCents: 0,
      revenueByCurrency: {},
      cancellationRate: 0,
      topEvents: [],
    });
  });

  it('ranks the top 10 by tickets sold, then revenue, then id', () => {
    const many = new Map<string, EventTotals>();
    const summaries = new Map<string, { name: string; capacity: number }>();
    for (let index = 0; index < 14; index++) {
      const id = `ev-${String(index).padStart(2, '0')}`;
      // Pairs share a ticket count; within a pair the odd one earns more.
      many.set(
        id,
        totals({ confirmed: 1, ticketsSold: Math.floor(index / 2) + 1, revenueCents: index % 2 }),
      );
      summaries.set(id, { name: id, capacity: 100 });
    }
    many.set('ev-tie-b', totals({ confirmed: 1, ticketsSold: 7, revenueCents: 1 }));
    summaries.set('ev-tie-b', { name: 'tie', capacity: 100 });

    const ranked = toAnalytics(window, many, summaries).topEvents.map((event) => event.eventId);

    expect(ranked).toEqual([
      'ev-13',
      'ev-tie-b',
      'ev-12',
      'ev-11',
      'ev-10',
      'ev-09',
      'ev-08',
      'ev-07',
      'ev-06',
      'ev-05',
    ]);
  });
});
