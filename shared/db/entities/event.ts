/**
 * The event's two items, as stored: META (what organizers write, whole, under a version)
 * and INVENTORY (the live counters every order change moves by delta). The one place
 * that knows their attributes and the updates each allows; adapters compose these
 * into requests and transactions.
 */
import {
  type EventState,
  type EventStatus,
  NO_RESOLVED_ORDERS,
  ORDER_RESOLUTIONS,
  type OrderResolution,
  type ResolvedOrderCounts,
  raisesIntoPool,
  type TicketTypeState,
} from '../../domain/event-model.js';
import { isListedNearby } from '../../domain/events.js';
import type { Order } from '../../domain/order-model.js';
import type { SeatingLayout } from '../../domain/seating-model.js';
import { ItemExpression } from '../expression.js';
import { eventKeys, table } from '../table.js';
import { actorAttribute } from './audit.js';
import { counterOf, waitlistCounters } from './waitlist.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;
type StoredTicketType = Omit<TicketTypeState, 'id'>;
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

/**
 * The whole META item. Every write of it is a whole-item Put stamped with the write's
 * `updatedAt`, so the nearby keys (and their due entry) come and go with what
 * `isListedNearby` says at that time: a publish adds them, a cancel or a startsAt in the
 * past drops them, a new venue or startsAt moves them.
 */
export function toMetaItem(event: EventState): Item {
  const sort = eventKeys.startsAtSort(event.startsAt, event.id);
  const geohash = eventKeys.nearbyGeohash(event.venue);
  const { collection, byOwner, nearby, due } = table.globalSecondaryIndexes;
  return {
    ...eventKeys.meta(event.id),
    entity: 'Event',
    id: event.id,
    organizerId: event.organizerId,
    name: event.name,
    nameLower: event.name.toLowerCase(),
    description: event.description,
    venue: event.venue,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    currency: event.currency,
    status: event.status,
    seating: event.seating,
    // The organizer's terms, never the counters (INVENTORY's): so META's stream images
    // alone tell the audit trail what an organizer write changed.
    maxTicketsPerOrder: event.maxTicketsPerOrder,
    holdSeconds: event.holdSeconds,
    ticketTypes: Object.fromEntries(
      event.ticketTypes.map(({ id, name, priceCents, capacity }) => [
        id,
        { name, priceCents, capacity },
      ]),
    ),
    version: event.version,
    createdAt: event.createdAt,
    updatedAt: event.updatedAt,
    ...actorAttribute(),
    [collection.partitionKey]: eventKeys.byStatusPartition(event.status),
    [collection.sortKey]: sort,
    [byOwner.partitionKey]: eventKeys.byOrganizerPartition(event.organizerId),
    [byOwner.sortKey]: sort,
    ...(isListedNearby(event, event.updatedAt) && {
      [nearby.partitionKey]: eventKeys.nearbyPartition(geohash),
      [nearby.sortKey]: eventKeys.nearbySort(geohash, event.id),
      [due.partitionKey]: eventKeys.nearbyUntilPartition,
      [due.sortKey]: eventKeys.nearbyUntilSort(event.startsAt, event.id),
    }),
  };
}

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

export function eventFromItems(meta: Item, inventory: Item): EventState {
  const ticketTypes = Object.entries(inventory.ticketTypes as Record<string, StoredTicketType>).map(
    ([id, ticketType]) => ({ id, ...ticketType }),
  );
  return {
    id: meta.id as string,
    organizerId: meta.organizerId as string,
    name: meta.name as string,
    ...(meta.description !== undefined && { description: meta.description as string }),
    venue: meta.venue as EventState['venue'],
    startsAt: meta.startsAt as string,
    ...(meta.endsAt !== undefined && { endsAt: meta.endsAt as string }),
    currency: meta.currency as string,
    status: meta.status as EventStatus,
    maxTicketsPerOrder: inventory.maxTicketsPerOrder as number,
    holdSeconds: inventory.holdSeconds as number,
    ticketTypes,
    ...(meta.seating !== undefined && { seating: meta.seating as SeatingLayout }),
    orderCount: inventory.orderCount as number,
    resolvedOrders: resolvedOrdersOf(inventory),
    ...waitlistWaitingOf(inventory, ticketTypes),
    version: meta.version as number,
    createdAt: meta.createdAt as string,
    updatedAt: meta.updatedAt as string,
  };
}

function waitlistWaitingOf(
  inventory: Item,
  ticketTypes: readonly { id: string }[],
): Pick<EventState, 'waitlistWaiting'> {
  const waiting = ticketTypes
    .map(({ id }) => [id, counterOf(inventory, waitlistCounters.waiting(id))] as const)
    .filter(([, count]) => count > 0);
  return waiting.length > 0 ? { waitlistWaiting: Object.fromEntries(waiting) } : {};
}

/** Items written before these counters existed have none: their count starts at 0. */
function resolvedOrdersOf(inventory: Item): ResolvedOrderCounts {
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

/** The writes of the META item. */
export const metaWrites = {
  /** A new event: the item must not exist yet. */
  insert: (event: EventState): PutWrite => ({
    Item: toMetaItem(event),
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  /** The whole item again, only if nobody wrote it since `version` (organizer writes). */
  replace: (after: EventState, version: number): PutWrite => ({
    Item: toMetaItem(after),
    ...new ItemExpression().compare('version', '=', version).toCondition(),
  }),

  /** Deletes it, only if nobody wrote it since `version`. */
  remove: (event: EventState) => ({
    Key: eventKeys.meta(event.id),
    ...new ItemExpression().compare('version', '=', event.version).toCondition(),
  }),

  /**
   * Takes a started event out of the nearby index and its due entry, only if it is still
   * listed and still starts by `now`; the condition also keeps the update from creating
   * an item for a deleted event.
   */
  unlistNearby: (eventId: string, now: string): UpdateWrite => {
    const { nearby, due } = table.globalSecondaryIndexes;
    return {
      Key: eventKeys.meta(eventId),
      ...new ItemExpression()
        .remove(nearby.partitionKey)
        .remove(nearby.sortKey)
        .remove(due.partitionKey)
        .remove(due.sortKey)
        .compare(due.partitionKey, '=', eventKeys.nearbyUntilPartition)
        .compare('startsAt', '<=', now)
        .toUpdate(),
    };
  },
};

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
