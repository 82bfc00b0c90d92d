import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../db/batch-get.js';
import { ItemExpression, type UpdateExpressionInput } from '../db/expression.js';
import { NEARBY_LIMITS, type NearbyLimits, queryNearby } from '../db/nearby.js';
import { queryDue, queryIndexPage } from '../db/paging.js';
import { eventKeys, parseTimeSort, table } from '../db/table.js';
import { cancellationCodes } from '../db/transactions.js';
import {
  type EventState,
  type EventStatus,
  NO_RESOLVED_ORDERS,
  ORDER_RESOLUTIONS,
  type OrderResolution,
  type ResolvedOrderCounts,
  type TicketTypeState,
  type Venue,
} from '../domain/event-model.js';
import type {
  EventRepository,
  EventRepositoryNearQuery,
  EventRepositoryQuery,
  NearbyEvent,
  NearbyListing,
  PendingCancellation,
} from '../domain/event-ports.js';
import { isListedNearby } from '../domain/events.js';
import type { Page } from '../domain/page.js';

type Item = Record<string, unknown>;
type StoredTicketType = Omit<TicketTypeState, 'id'>;

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
const CANCELLING_CURSOR = 'cancellingCursor';

export class DynamoEventRepository implements EventRepository {
  /** `nearbyLimits`: what one radius search may read; tests shrink it. */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nearbyLimits: NearbyLimits = NEARBY_LIMITS,
  ) {}

  async insert(event: EventState): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: toMetaItem(event),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: toInventoryItem(event),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  async get(eventId: string): Promise<EventState | null> {
    // Exactly the two items: the event's partition also holds one live-ticket counter
    // per customer, which a Query would read (and page through) on every hold.
    const wanted = [eventKeys.meta(eventId), eventKeys.inventory(eventId)];
    const found = await batchGetAll(this.client, this.tableName, wanted, { consistent: true });
    const meta = found.find((item) => item.sk === wanted[0]?.sk);
    const inventory = found.find((item) => item.sk === wanted[1]?.sk);
    return meta && inventory ? fromItems(meta, inventory) : null;
  }

  async list(query: EventRepositoryQuery): Promise<Page<EventState>> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (query.index === 'byOrganizer' && query.status !== undefined) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = query.status;
    }
    if (query.nameContains !== undefined) {
      filters.push('contains(#nameLower, :q)');
      names['#nameLower'] = 'nameLower';
      values[':q'] = query.nameContains.toLowerCase();
    }
    const page = await queryIndexPage(this.client, this.tableName, {
      index: query.index === 'byStatus' ? 'collection' : 'byOwner',
      partition:
        query.index === 'byStatus'
          ? eventKeys.byStatusPartition(query.status)
          : eventKeys.byOrganizerPartition(query.organizerId),
      itemKey: eventKeys.meta,
      limit: query.limit,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
      ...(query.from !== undefined && { low: query.from }),
      // Sort values are `<startsAt>#<id>`; the high sentinel makes `to` inclusive.
      ...(query.to !== undefined && { high: `${query.to}#\uffff` }),
      ...(filters.length > 0 && {
        filter: { expression: filters.join(' AND '), names, values },
      }),
    });
    const inventories = await this.inventoriesOf(page.items.map((meta) => String(meta.id)));
    const items = page.items.flatMap((meta) => {
      const inventory = inventories.get(String(meta.id));
      return inventory ? [fromItems(meta, inventory)] : [];
    });
    return { items, nextCursor: page.nextCursor };
  }

  async update(before: EventState, after: EventState): Promise<'applied' | 'stale'> {
    const inventory = inventoryUpdate(before, after);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: toMetaItem(after),
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': before.version },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: eventKeys.inventory(after.id),
                ...inventory,
              },
            },
          ],
        }),
      );
      return 'applied';
    } catch (error) {
      if (isLostRace(error)) return 'stale';
      throw error;
    }
  }

  async delete(event: EventState): Promise<'deleted' | 'has-orders' | 'stale'> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: eventKeys.meta(event.id),
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': event.version },
              },
            },
            {
              Delete: {
                TableName: this.tableName,
                Key: eventKeys.inventory(event.id),
                ConditionExpression: 'orderCount = :none',
                ExpressionAttributeValues: { ':none': 0 },
              },
            },
          ],
        }),
      );
      return 'deleted';
    } catch (error) {
      if (!isLostRace(error)) throw error;
      const [meta, inventory] = cancellationCodes(error) ?? [];
      // orderCount only grows, so a failed inventory condition on an unchanged event means orders exist.
      return inventory === 'ConditionalCheckFailed' && meta !== 'ConditionalCheckFailed'
        ? 'has-orders'
        : 'stale';
    }
  }

  async listNear(query: EventRepositoryNearQuery): Promise<Page<NearbyEvent>> {
    const filter = nearFilterOf(query);
    const page = await queryNearby(
      this.client,
      this.tableName,
      {
        centre: query.near.centre,
        radiusMetres: query.near.radiusKm * 1000,
        limit: query.limit,
        ...(query.cursor !== undefined && { cursor: query.cursor }),
        filter,
        pointOf: (meta) => meta.venue as Venue,
        idOf: (meta) => meta.id as string,
      },
      this.nearbyLimits,
    );
    const inventories = await this.inventoriesOf(page.items.map(({ item }) => String(item.id)));
    const items = page.items.flatMap(({ item, distanceMetres }) => {
      const inventory = inventories.get(String(item.id));
      return inventory ? [{ event: fromItems(item, inventory), distanceMetres }] : [];
    });
    return { items, nextCursor: page.nextCursor };
  }

  async startedNearby(now: string, limit: number): Promise<NearbyListing[]> {
    const due = await queryDue(
      this.client,
      this.tableName,
      eventKeys.nearbyUntilPartition,
      now,
      limit,
    );
    return due.map((meta) => ({ eventId: meta.id as string, startsAt: meta.startsAt as string }));
  }

  async unlistNearby(eventId: string, now: string): Promise<boolean> {
    const { nearby, due } = table.globalSecondaryIndexes;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: eventKeys.meta(eventId),
          UpdateExpression: 'REMOVE #nearbyPk, #nearbySk, #duePk, #dueSk',
          // Also keeps the update from creating an item for a deleted event.
          ConditionExpression: '#duePk = :until AND #startsAt <= :now',
          ExpressionAttributeNames: {
            '#nearbyPk': nearby.partitionKey,
            '#nearbySk': nearby.sortKey,
            '#duePk': due.partitionKey,
            '#dueSk': due.sortKey,
            '#startsAt': 'startsAt',
          },
          ExpressionAttributeValues: { ':until': eventKeys.nearbyUntilPartition, ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async pendingCancellations(before: string, limit: number): Promise<PendingCancellation[]> {
    const { due } = table.globalSecondaryIndexes;
    const pending = await queryDue(
      this.client,
      this.tableName,
      eventKeys.cancellingPartition,
      before,
      limit,
    );
    return pending.map((inventory) => ({
      eventId: inventory.eventId as string,
      queuedAt: parseTimeSort(inventory[due.sortKey] as string)?.time ?? '',
      cursor: (inventory[CANCELLING_CURSOR] as string | undefined) ?? null,
    }));
  }

  async requeueCancellation(eventId: string, at: string, cursor: string | null): Promise<boolean> {
    const { due } = table.globalSecondaryIndexes;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: eventKeys.inventory(eventId),
          UpdateExpression:
            cursor === null
              ? 'SET #dueSk = :sort REMOVE #cursor'
              : 'SET #dueSk = :sort, #cursor = :cursor',
          // Still pending: never brings back a cancellation that has ended meanwhile.
          ConditionExpression: '#duePk = :cancelling',
          ExpressionAttributeNames: {
            '#duePk': due.partitionKey,
            '#dueSk': due.sortKey,
            '#cursor': CANCELLING_CURSOR,
          },
          ExpressionAttributeValues: {
            ':cancelling': eventKeys.cancellingPartition,
            ':sort': eventKeys.cancellingSort(at, eventId),
            ...(cursor !== null && { ':cursor': cursor }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async endCancellation(event: EventState): Promise<boolean> {
    const { due } = table.globalSecondaryIndexes;
    const change = new ItemExpression()
      .remove(due.partitionKey)
      .remove(due.sortKey)
      .remove(CANCELLING_CURSOR)
      .compare(due.partitionKey, '=', eventKeys.cancellingPartition)
      .compare('status', '=', 'CANCELLED');
    // Ticket types never change once the event is cancelled, so these are all of them.
    for (const { id } of event.ticketTypes) {
      change
        .compare(['ticketTypes', id, 'held'], '=', 0)
        .compare(['ticketTypes', id, 'sold'], '=', 0);
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: eventKeys.inventory(event.id),
          ...change.toUpdate(),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async inventoriesOf(eventIds: string[]): Promise<Map<string, Item>> {
    const keys = eventIds.map((id) => eventKeys.inventory(id));
    const items = await batchGetAll(this.client, this.tableName, keys, { consistent: false });
    return new Map(items.map((item) => [String(item.eventId), item]));
  }
}

/**
 * The listing's index and time bounds as filters on the nearby index. That index holds
 * only upcoming published events, but `startsAfter` is still needed: the sweep takes an
 * event out only some time after it starts. So is `status`, for items written before
 * the index was narrowed.
 */
function nearFilterOf(query: EventRepositoryNearQuery) {
  const names: Record<string, string> = {};
  // DynamoDB rejects unused aliases, so each name is aliased where it is used.
  const alias = (attribute: string): string => {
    names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  };
  const values: Record<string, unknown> = { ':startsAfter': query.startsAfter };
  const conditions = [`${alias('startsAt')} > :startsAfter`];
  if (query.status !== undefined) {
    conditions.push(`${alias('status')} = :status`);
    values[':status'] = query.status;
  }
  if (query.index === 'byOrganizer') {
    conditions.push(`${alias('organizerId')} = :organizerId`);
    values[':organizerId'] = query.organizerId;
  }
  if (query.from !== undefined) {
    conditions.push(`${alias('startsAt')} >= :from`);
    values[':from'] = query.from;
  }
  if (query.to !== undefined) {
    conditions.push(`${alias('startsAt')} <= :to`);
    values[':to'] = query.to;
  }
  if (query.nameContains !== undefined) {
    conditions.push(`contains(${alias('nameLower')}, :q)`);
    values[':q'] = query.nameContains.toLowerCase();
  }
  return { expression: conditions.join(' AND '), names, values };
}

/**
 * The whole META item. Every write of it is a whole-item Put stamped with the write's
 * `updatedAt`, so the nearby keys (and their due entry) come and go with what
 * `isListedNearby` says at that time: a publish adds them, a cancel or a startsAt in the
 * past drops them, a new venue or startsAt moves them.
 */
function toMetaItem(event: EventState): Item {
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
    version: event.version,
    createdAt: event.createdAt,
    updatedAt: event.updatedAt,
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

function toInventoryItem(event: EventState): Item {
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

function fromItems(meta: Item, inventory: Item): EventState {
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
    orderCount: inventory.orderCount as number,
    resolvedOrders: resolvedOrdersOf(inventory),
    version: meta.version as number,
    createdAt: meta.createdAt as string,
    updatedAt: meta.updatedAt as string,
  };
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
 * tickets still being unsold at write time. A cancellation also puts the item in the
 * due index as a pending cancellation. Only what changed is written, so a PATCH of
 * every ticket type of the largest event stays one expression DynamoDB accepts.
 */
function inventoryUpdate(before: EventState, after: EventState): UpdateExpressionInput {
  const change = new ItemExpression();
  change.when(`attribute_exists(${change.path('pk')})`);
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
    if (delta !== 0) {
      change.set(path('capacity'), ticketType.capacity).add(path('available'), delta);
      if (delta < 0) change.compare(path('available'), '>=', -delta);
    }
  }
  return change.toUpdate();
}

/** A condition failed or another transaction held an item: decide again on fresh state. */
function isLostRace(error: unknown): boolean {
  return (cancellationCodes(error) ?? []).some(
    (code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict',
  );
}
