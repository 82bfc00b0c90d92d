import type { EventSummary, EventTotals } from './analytics-model.js';

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
