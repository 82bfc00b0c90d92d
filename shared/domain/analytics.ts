import {
  type Analytics,
  type AnalyticsQuery,
  analyticsWindow,
  type EventStats,
  type EventSummary,
  type EventTotals,
  rankTopEvents,
  storedHeldOrders,
  toAnalytics,
  toEventStats,
} from './analytics-model.js';
import type { Clock } from './clock.js';
import { Forbidden, Unauthenticated } from './errors.js';
import { type EventRepository, ownedEvent } from './events.js';
import { isAdmin, type Principal } from './principal.js';

/**
 * Reads of the counters that order transitions keep: nothing here lists or counts
 * orders, except the few holds that ran out and are still waiting for the expiry job.
 */
export interface AnalyticsRepository {
  /**
   * Each event's day counters summed over `days`; an event none of whose orders
   * created on those days has left HELD is absent.
   */
  totalsByEvent(days: readonly string[]): Promise<Map<string, EventTotals>>;
  /** Name and current capacity of each of `eventIds` that exists. */
  summaries(eventIds: readonly string[]): Promise<Map<string, EventSummary>>;
  /**
   * How many of the event's orders are stored HELD with `expiresAt` in [since, now],
   * each read strongly consistently. Bounded: when the expiry job is far behind, some
   * may be missed and keep counting as held until it catches up.
   */
  overdueHolds(eventId: string, since: string, now: string): Promise<number>;
}

export class AnalyticsService {
  constructor(
    private readonly deps: {
      events: EventRepository;
      analytics: AnalyticsRepository;
      clock: Clock;
    },
  ) {}

  /** For the event's organizer and admins, on the same terms as changing the event. */
  async eventStats(principal: Principal, eventId: string): Promise<EventStats> {
    if (principal.userId === null) throw new Unauthenticated('Sign in to do this');
    const event = ownedEvent(principal, eventId, await this.deps.events.get(eventId));
    // Read after the event, so a hold the expiry job releases in between is seen
    // released here and never counted twice; no order of the event expires before it exists.
    const overdue =
      storedHeldOrders(event) === 0
        ? 0
        : await this.deps.analytics.overdueHolds(
            eventId,
            event.createdAt,
            this.deps.clock.now().toISOString(),
          );
    return toEventStats(event, overdue);
  }

  async analytics(principal: Principal, query: AnalyticsQuery): Promise<Analytics> {
    if (principal.userId === null) throw new Unauthenticated('Sign in to do this');
    if (!isAdmin(principal)) throw new Forbidden('Only admins may read analytics');
    const window = analyticsWindow(query, this.deps.clock.now());
    const totals = await this.deps.analytics.totalsByEvent(window.days);
    const top = rankTopEvents(totals).map(([eventId]) => eventId);
    const summaries = top.length > 0 ? await this.deps.analytics.summaries(top) : new Map();
    return toAnalytics(window, totals, summaries);
  }
}
