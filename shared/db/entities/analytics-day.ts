import { analyticsDayOf } from '../../domain/analytics-model.js';
import type { OrderResolution } from '../../domain/event-model.js';
import type { Order } from '../../domain/order-model.js';
import { ItemExpression } from '../expression.js';
import { analyticsKeys } from '../table.js';
import type { StockCounter } from './inventory.js';
import type { UpdateWrite } from './writes.js';

/**
 * `ANALYTICS#<day>` / `EVENT#<id>`: an event's orders created that UTC day, by where they
 * ended. Only ADDs, which create the item and each counter at zero, so no transition
 * needs to know whether another came first.
 */
export const analyticsDayWrites = {
  /** Counts an order's resolution, and its tickets and revenue, on its creation day. */
  count: (
    order: Order,
    counters: (item: Order['items'][number]) => Partial<Record<StockCounter, number>>,
    resolved: Partial<Record<OrderResolution, number>>,
  ): UpdateWrite => {
    let ticketsSold = 0;
    let revenueCents = 0;
    for (const item of order.items) {
      const { sold = 0, revenueCents: revenue = 0 } = counters(item);
      ticketsSold += sold;
      revenueCents += revenue;
    }
    const day = new ItemExpression()
      .set('entity', 'EventDayAnalytics')
      .set('eventId', order.eventId)
      .set('currency', order.currency);
    for (const [counter, delta] of Object.entries({ ...resolved, ticketsSold, revenueCents })) {
      day.add(counter, delta);
    }
    return {
      Key: analyticsKeys.eventDay(analyticsDayOf(order.createdAt), order.eventId),
      ...day.toUpdate(),
    };
  },
};
