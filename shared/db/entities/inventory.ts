/**
 * The event's INVENTORY item, as stored: status, limits and the ticket types with the
 * live counters every order change moves by delta, never by overwrite. The one place that
 * knows its attributes and the updates each allows; adapters compose these into requests
 * and transactions. META, what organizers write whole, is `event.ts`.
 */
import {
  type EventState,
  NO_RESOLVED_ORDERS,
  ORDER_RESOLUTIONS,
  type OrderResolution,
  type ResolvedOrderCounts,
  raisesIntoPool,
} from '../../domain/event-model.js';
import type { Order } from '../../domain/order-model.js';
import { ItemExpression } from '../expression.js';
import { eventKeys, table } from '../table.js';
import { counterOf, waitlistCounters } from './waitlist.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;

/** The per-ticket-type counters orders move. */
export type StockCounter = 'available' | 'held' | 'sold' | 'revenueCents';

/**
 * The INVENTORY attributes that count an event's orders by resolution. Top-level, not
 * a map, so a transition can create each with if_not_exists on items written before
 * they existed (a nested path cannot be set while its parent map is missing).
 */
export const resolvedOrderAttributes: Readonly<Record<OrderResolution, string>> = {
  confirmed: 'confirmedOrders',
  cancelled: 'cancelledOrders',
  expired: 'expiredOrders',
  refunded: 'refundedOrders',
};

/**
 * On INVENTORY while a cancellation is pending: where the next run over the event's
 * orders resumes (`requeueCancellation`). Projected into the due index with the rest.
 */
export const CANCELLING_CURSOR = 'cancellingCursor';

export function toInventoryItem(event: EventState): Item {
  return {
    ...eventKeys.inventory(event.id),
    entity: 'EventInventory',
    eventId: event.id,
    status: event.status,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    currency: event.currency,
    maxTicketsPerOrder: event.maxTicketsPerOrder,
    holdSeconds: event.holdSeconds,
    orderCount: event.orderCount,
    ...Object.fromEntries(
      ORDER_RESOLUTIONS.map((resolution) => [
        resolvedOrderAttributes[resolution],
        event.resolvedOrders[resolution],
      ]),
    ),
    ticketTypes: Object.fromEntries(event.ticketTypes.map(({ id, ...rest }) => [id, rest])),
  };
}

export function waitlistWaitingOf(
  inventory: Item,
  ticketTypes: readonly { id: string }[],
): Pick<EventState, 'waitlistWaiting'> {
  const waiting = ticketTypes
    .map(({ id }) => [id, counterOf(inventory, waitlistCounters.waiting(id))] as const)
    .filter(([, count]) => count > 0);
  return waiting.length > 0 ? { waitlistWaiting: Object.fromEntries(waiting) } : {};
}

/** Items written before these counters existed have none: their count starts at 0. */
export function resolvedOrdersOf(inventory: Item): ResolvedOrderCounts {
  const counts = { ...NO_RESOLVED_ORDERS };
  for (const resolution of ORDER_RESOLUTIONS) {
    counts[resolution] =
      (inventory[resolvedOrderAttributes[resolution]] as number | undefined) ?? 0;
  }
  return counts;
}

/**
 * The INVENTORY half of an organizer write. Counters that holds move concurrently are
 * changed by delta, never overwritten, and a capacity cut is conditional on the
 * tickets still being unsold at write time; a raise of a published type goes on sale
 * only while nobody waits for it, else to its waitlist pool. A cancellation puts the item in the
 * due index as a pending cancellation. Only what changed is written, so a PATCH of
 * every ticket type of the largest event stays one expression DynamoDB accepts.
 */
function organizerChange(before: EventState, after: EventState): UpdateWrite {
  const pooled = new Set(raisesIntoPool(before, after));
  const change = new ItemExpression().whenPresent();
  for (const attribute of [
    'status',
    'startsAt',
    'currency',
    'maxTicketsPerOrder',
    'holdSeconds',
  ] as const) {
    change.set(attribute, after[attribute]);
  }
  if (before.status !== 'CANCELLED' && after.status === 'CANCELLED') {
    // Pending until every order is released (`endCancellation`). A cancelled event is
    // never written again, so a repeated cancel neither moves nor duplicates the entry.
    const { due } = table.globalSecondaryIndexes;
    change
      .set(due.partitionKey, eventKeys.cancellingPartition)
      .set(due.sortKey, eventKeys.cancellingSort(after.updatedAt, after.id));
  }
  if (after.endsAt === undefined) change.remove('endsAt');
  else change.set('endsAt', after.endsAt);

  for (const ticketType of after.ticketTypes) {
    const path = (field?: string) =>
      field === undefined ? ['ticketTypes', ticketType.id] : ['ticketTypes', ticketType.id, field];
    const previous = before.ticketTypes.find(({ id }) => id === ticketType.id);
    if (!previous) {
      const { id: _, ...stored } = ticketType;
      change.set(path(), stored);
      continue;
    }
    if (ticketType.name !== previous.name) change.set(path('name'), ticketType.name);
    if (ticketType.priceCents !== previous.priceCents) {
      change.set(path('priceCents'), ticketType.priceCents);
    }
    const delta = ticketType.capacity - previous.capacity;
    if (delta === 0) continue;
    change.set(path('capacity'), ticketType.capacity);
    if (delta < 0) {
      change.add(path('available'), delta).compare(path('available'), '>=', -delta);
    } else if (pooled.has(ticketType.id)) {
      // Routed by the waiting count read with `before`; a join or leave since fails this.
      change
        .add(waitlistCounters.reserved(ticketType.id), delta)
        .compare(waitlistCounters.waiting(ticketType.id), '>', 0);
    } else {
      change.add(path('available'), delta);
      if (after.status === 'PUBLISHED') {
        const waiting = change.path(waitlistCounters.waiting(ticketType.id));
        change.when(`NOT ${waiting} > ${change.value(0)}`);
      }
    }
  }
  return { Key: eventKeys.inventory(after.id), ...change.toUpdate() };
}

function countersChange(
  order: Order,
  counters: (item: Order['items'][number]) => Partial<Record<StockCounter, number>>,
  resolved: Partial<Record<OrderResolution, number>>,
): ItemExpression {
  const change = new ItemExpression();
  for (const item of order.items) {
    for (const [counter, delta] of Object.entries(counters(item))) {
      change.add(['ticketTypes', item.ticketTypeId, counter], delta);
    }
  }
  for (const [resolution, delta] of Object.entries(resolved) as [OrderResolution, number][]) {
    change.add(resolvedOrderAttributes[resolution], delta);
  }
  return change;
}

/** The writes of the INVENTORY item: every counter moves by delta, never by overwrite. */
export const inventoryWrites = {
  insert: (event: EventState): PutWrite => ({
    Item: toInventoryItem(event),
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  /** Deletes it, only while no order was ever placed (orderCount only grows). */
  removeUnordered: (event: EventState) => ({
    Key: eventKeys.inventory(event.id),
    ...new ItemExpression().compare('orderCount', '=', 0).toCondition(),
  }),

  organizerChange,

  /**
   * Takes an order's tickets and counts the order: only while the event is published
   * and not started at `now`, and only if every ticket type has enough left.
   */
  take: (order: Order, now: string): UpdateWrite => {
    const change = new ItemExpression()
      .add('orderCount', 1)
      .compare('status', '=', 'PUBLISHED')
      .compare('startsAt', '>', now);
    for (const item of order.items) {
      const stock = (counter: StockCounter) => ['ticketTypes', item.ticketTypeId, counter];
      change
        .add(stock('available'), -item.quantity)
        .add(stock('held'), item.quantity)
        .compare(stock('available'), '>=', item.quantity);
    }
    return { Key: eventKeys.inventory(order.eventId), ...change.toUpdate() };
  },

  /**
   * Moves an order's stock counters, per item, and the event's counts of orders by
   * resolution. ADD starts a count missing from items written before it existed.
   */
  move: (
    order: Order,
    counters: (item: Order['items'][number]) => Partial<Record<StockCounter, number>>,
    resolved: Partial<Record<OrderResolution, number>>,
  ): UpdateWrite => ({
    Key: eventKeys.inventory(order.eventId),
    ...countersChange(order, counters, resolved).toUpdate(),
  }),

  /**
   * `move` for a release, which frees the order's tickets: of each type in `pooled` into
   * the type's waitlist pool instead of public sale, on the condition that its line is
   * still waiting; of the others onto public sale, on the condition that nobody waits
   * for them. When nobody waits at all, which is nearly always, that is one condition on
   * the event's count of waiting entries, however many types the order has.
   */
  release: (
    order: Order,
    counters: (item: Order['items'][number]) => Partial<Record<StockCounter, number>>,
    resolved: Partial<Record<OrderResolution, number>>,
    pooled: ReadonlySet<string>,
  ): UpdateWrite => {
    const routed = (item: Order['items'][number]) => {
      const { available = 0, ...rest } = counters(item);
      return pooled.has(item.ticketTypeId) ? rest : { ...rest, available };
    };
    const change = countersChange(order, routed, resolved);
    const none = change.value(0);
    if (pooled.size === 0) {
      change.when(`NOT ${change.path(waitlistCounters.anyWaiting)} > ${none}`);
    }
    for (const item of order.items) {
      const freed = counters(item).available ?? 0;
      if (pooled.size === 0 || freed === 0) continue;
      const waiting = change.path(waitlistCounters.waiting(item.ticketTypeId));
      if (pooled.has(item.ticketTypeId)) {
        change.add(waitlistCounters.reserved(item.ticketTypeId), freed);
        change.when(`${waiting} > ${none}`);
      } else {
        change.when(`NOT ${waiting} > ${none}`);
      }
    }
    return { Key: eventKeys.inventory(order.eventId), ...change.toUpdate() };
  },

  /**
   * Moves a pending cancellation to the back of the queue (queued at `at`) and stores
   * where the next run resumes (null: from the newest order). Only while still pending:
   * never brings back a cancellation that has ended meanwhile.
   */
  requeueCancellation: (eventId: string, at: string, cursor: string | null): UpdateWrite => {
    const { due } = table.globalSecondaryIndexes;
    const change = new ItemExpression()
      .set(due.sortKey, eventKeys.cancellingSort(at, eventId))
      .compare(due.partitionKey, '=', eventKeys.cancellingPartition);
    if (cursor === null) change.remove(CANCELLING_CURSOR);
    else change.set(CANCELLING_CURSOR, cursor);
    return { Key: eventKeys.inventory(eventId), ...change.toUpdate() };
  },

  /**
   * Ends a pending cancellation, only if no ticket of the event is held or sold. Ticket
   * types never change once the event is cancelled, so `event`'s are all of them.
   */
  endCancellation: (event: EventState): UpdateWrite => {
    const { due } = table.globalSecondaryIndexes;
    const change = new ItemExpression()
      .remove(due.partitionKey)
      .remove(due.sortKey)
      .remove(CANCELLING_CURSOR)
      .compare(due.partitionKey, '=', eventKeys.cancellingPartition)
      .compare('status', '=', 'CANCELLED');
    for (const { id } of event.ticketTypes) {
      change
        .compare(['ticketTypes', id, 'held'], '=', 0)
        .compare(['ticketTypes', id, 'sold'], '=', 0);
    }
    return { Key: eventKeys.inventory(event.id), ...change.toUpdate() };
  },
};
