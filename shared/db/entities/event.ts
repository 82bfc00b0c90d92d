/**
 * The event's META item, as stored: what organizers write, whole, under a version; and
 * how the event reads back from META and INVENTORY together. INVENTORY, the live counters
 * every order change moves by delta, is `inventory.ts`. The one place that knows META's
 * attributes and the writes it allows; adapters compose these into requests and
 * transactions.
 */
import type { EventState, EventStatus, TicketTypeState } from '../../domain/event-model.js';
import { isListedNearby } from '../../domain/events.js';
import type { SeatingLayout } from '../../domain/seating-model.js';
import { ItemExpression } from '../expression.js';
import { eventKeys, table } from '../table.js';
import { actorAttribute } from './audit.js';
import { resolvedOrdersOf, waitlistWaitingOf } from './inventory.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;
type StoredTicketType = Omit<TicketTypeState, 'id'>;

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
