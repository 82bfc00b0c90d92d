import {
  type Analytics,
  type AnalyticsQuery,
  analyticsWindow,
  type EventStats,
  rankTopEvents,
  storedHeldOrders,
  toAnalytics,
  toEventStats,
} from './analytics-model.js';
import type { AnalyticsRepository } from './analytics-ports.js';
import type { Clock } from './clock.js';
import { Forbidden, Unauthenticated } from './errors.js';
import type { EventRepository } from './event-ports.js';
import { ownedEvent } from './events.js';
import { isAdmin, type Principal } from './principal.js';

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
