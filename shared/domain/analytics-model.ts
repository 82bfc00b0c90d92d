import * as z from 'zod';
import { ValidationFailed } from './errors.js';
import {
  type EventState,
  isoDateTime,
  NO_RESOLVED_ORDERS,
  ORDER_RESOLUTIONS,
  type ResolvedOrderCounts,
} from './event-model.js';

export const ANALYTICS_LIMITS = {
  /** Days in one window, both ends included: a year, leap day and all. */
  maxWindowDays: 366,
  defaultWindowDays: 30,
  topEvents: 10,
} as const;

const DAY_MS = 86_400_000;

/**
 * The day an order counts on in analytics, whatever happens to it later: the UTC day
 * it was created. A refund months later undoes exactly what its own day counted, so
 * no day ever goes negative.
 */
export const analyticsDayOf = (createdAt: string): string => createdAt.slice(0, 10);

const maxDay = (a: string, b: string): string => (a > b ? a : b);

const shiftDay = (day: string, days: number): string =>
  analyticsDayOf(new Date(Date.parse(day) + days * DAY_MS).toISOString());

const isoDate = z.iso.date();

/**
 * No order can be older than the epoch; the bound also keeps day arithmetic away from
 * the years before 0001, which ISO strings can't carry in four digits.
 */
const EARLIEST_DAY = '1970-01-01';

/** A UTC day; a date-time stands for the UTC day it falls on. */
const utcDay = z
  .string()
  .max(64)
  .transform((value, context) => {
    const day = isoDate.safeParse(value).success
      ? value
      : isoDateTime.safeParse(value).data?.slice(0, 10);
    if (day === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'must be a date such as 2027-03-01, or an ISO 8601 date-time',
      });
      return z.NEVER;
    }
    if (day < EARLIEST_DAY) {
      context.addIssue({ code: 'custom', message: `must be ${EARLIEST_DAY} or later` });
      return z.NEVER;
    }
    return day;
  })
  .meta({
    description: `A UTC day (${EARLIEST_DAY} or later), or an ISO 8601 date-time standing for its UTC day`,
    examples: ['2027-03-01'],
  });

export const analyticsQuerySchema = z.strictObject({
  from: utcDay.optional(),
  to: utcDay.optional(),
});
export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

/** Stats take no query parameters; an unknown one is a 400 like everywhere else. */
export const eventStatsQuerySchema = z.strictObject({});

export interface AnalyticsWindow {
  from: string;
  to: string;
  /** Every UTC day from `from` to `to`, both included. */
  days: string[];
}

/** `to` defaults to today (UTC), `from` to the 30 days that end on `to` (not before 1970). */
export function analyticsWindow(query: AnalyticsQuery, now: Date): AnalyticsWindow {
  const to = query.to ?? analyticsDayOf(now.toISOString());
  const from =
    query.from ?? maxDay(shiftDay(to, 1 - ANALYTICS_LIMITS.defaultWindowDays), EARLIEST_DAY);
  if (from > to) {
    throw new ValidationFailed('The window ends before it starts', [
      { path: 'query.from', message: 'must not be after `to` (default: today)' },
    ]);
  }
  const length = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
  if (length > ANALYTICS_LIMITS.maxWindowDays) {
    throw new ValidationFailed('The window is too long', [
      {
        path: 'query.from',
        message: `the window spans at most ${ANALYTICS_LIMITS.maxWindowDays} days`,
      },
    ]);
  }
  return { from, to, days: Array.from({ length }, (_, index) => shiftDay(from, index)) };
}

export interface TicketTypeStats {
  id: string;
  name: string;
  capacity: number;
  sold: number;
  held: number;
  available: number;
  revenueCents: number;
}

export interface EventStats {
  currency: string;
  capacity: number;
  sold: number;
  held: number;
  available: number;
  revenueCents: number;
  orders: { held: number } & ResolvedOrderCounts;
  ticketTypes: TicketTypeStats[];
}

/** Orders of the event still stored HELD (or being paid), whether or not they ran out. */
export const storedHeldOrders = (event: EventState): number =>
  ORDER_RESOLUTIONS.reduce(
    (held, resolution) => held - event.resolvedOrders[resolution],
    event.orderCount,
  );

/**
 * Ticket counters as committed: the `available` that GET /v1/events/{id} shows and that
 * holds are taken against, so a hold past `expiresAt` keeps its tickets `held` until the
 * expiry job releases them (within a minute). Orders by the status every read shows:
 * such an overdue hold is `expired`, as it is in GET /v1/orders.
 */
export function toEventStats(event: EventState, overdueHolds: number): EventStats {
  const ticketTypes = [...event.ticketTypes]
    .sort((a, b) => a.position - b.position)
    .map(({ id, name, capacity, sold, held, available, revenueCents }) => ({
      id,
      name,
      capacity,
      sold,
      held,
      available,
      revenueCents,
    }));
  const total = (counter: Exclude<keyof TicketTypeStats, 'id' | 'name'>) =>
    ticketTypes.reduce((sum, ticketType) => sum + ticketType[counter], 0);
  const stillHeld = storedHeldOrders(event);
  // Only a read stalled for a whole hold could see more overdue holds than the event had.
  const overdue = Math.min(overdueHolds, stillHeld);
  return {
    currency: event.currency,
    capacity: total('capacity'),
    sold: total('sold'),
    held: total('held'),
    available: total('available'),
    revenueCents: total('revenueCents'),
    orders: {
      held: stillHeld - overdue,
      ...event.resolvedOrders,
      expired: event.resolvedOrders.expired + overdue,
    },
    ticketTypes,
  };
}

/** One event's day counters, summed over a window. */
export interface EventTotals extends ResolvedOrderCounts {
  /** Tickets of the orders counted `confirmed` (a refund takes them back out). */
  ticketsSold: number;
  revenueCents: number;
  currency: string;
}

export const emptyTotals = (currency: string): EventTotals => ({
  ...NO_RESOLVED_ORDERS,
  ticketsSold: 0,
  revenueCents: 0,
  currency,
});

export interface EventSummary {
  name: string;
  /** Of all its ticket types, now. */
  capacity: number;
}

export interface TopEvent {
  eventId: string;
  name: string;
  currency: string;
  ticketsSold: number;
  revenueCents: number;
  /** Tickets sold in the window ÷ the event's capacity, 0–1. */
  utilization: number;
}

export interface Analytics {
  from: string;
  to: string;
  events: number;
  ordersConfirmed: number;
  ticketsSold: number;
  /** Minor units summed across currencies: meaningful when all events share one. */
  revenueCents: number;
  revenueByCurrency: Record<string, number>;
  cancellationRate: number;
  topEvents: TopEvent[];
}

const resolvedOf = (totals: EventTotals): number =>
  ORDER_RESOLUTIONS.reduce((sum, resolution) => sum + totals[resolution], 0);

/** A fraction to four decimal places, 0 when there is nothing to divide. */
const ratio = (part: number, whole: number): number =>
  whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;

/** Events that sold tickets in the window: most tickets, then most revenue, then by id. */
export function rankTopEvents(
  totals: ReadonlyMap<string, EventTotals>,
): [eventId: string, totals: EventTotals][] {
  return [...totals]
    .filter(([, event]) => event.ticketsSold > 0)
    .sort(
      ([idA, a], [idB, b]) =>
        b.ticketsSold - a.ticketsSold ||
        b.revenueCents - a.revenueCents ||
        (idA < idB ? -1 : idA > idB ? 1 : 0),
    )
    .slice(0, ANALYTICS_LIMITS.topEvents);
}

/**
 * Everything counts the orders created in the window that have left HELD:
 * - `events`: events with at least one such order;
 * - `ordersConfirmed`, `ticketsSold`, `revenueCents`: those confirmed and not refunded;
 * - `cancellationRate`: (cancelled + refunded) ÷ all such orders (expired ones included).
 */
export function toAnalytics(
  window: AnalyticsWindow,
  totals: ReadonlyMap<string, EventTotals>,
  summaries: ReadonlyMap<string, EventSummary>,
): Analytics {
  let events = 0;
  let resolved = 0;
  let cancelled = 0;
  let ordersConfirmed = 0;
  let ticketsSold = 0;
  let revenueCents = 0;
  const revenueByCurrency: Record<string, number> = {};
  for (const event of totals.values()) {
    const eventResolved = resolvedOf(event);
    if (eventResolved > 0) events++;
    resolved += eventResolved;
    cancelled += event.cancelled + event.refunded;
    ordersConfirmed += event.confirmed;
    ticketsSold += event.ticketsSold;
    revenueCents += event.revenueCents;
    revenueByCurrency[event.currency] =
      (revenueByCurrency[event.currency] ?? 0) + event.revenueCents;
  }
  const topEvents = rankTopEvents(totals).map(([eventId, event]) => {
    const summary = summaries.get(eventId);
    // Events with orders cannot be deleted, so only a broken invariant gets here.
    if (!summary) throw new Error(`Event ${eventId} has analytics but no event items`);
    return {
      eventId,
      name: summary.name,
      currency: event.currency,
      ticketsSold: event.ticketsSold,
      revenueCents: event.revenueCents,
      utilization: ratio(event.ticketsSold, summary.capacity),
    };
  });
  return {
    from: window.from,
    to: window.to,
    events,
    ordersConfirmed,
    ticketsSold,
    revenueCents,
    revenueByCurrency,
    cancellationRate: ratio(cancelled, resolved),
    topEvents,
  };
}
