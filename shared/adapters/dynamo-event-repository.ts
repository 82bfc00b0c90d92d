import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../db/batch-get.js';
import { deletionWrites } from '../db/entities/audit.js';
import { eventFromItems, metaWrites } from '../db/entities/event.js';
import { CANCELLING_CURSOR, inventoryWrites } from '../db/entities/inventory.js';
import { takenSeatFromItem } from '../db/entities/seat.js';
import { waitlistWrites } from '../db/entities/waitlist.js';
import { ItemExpression } from '../db/expression.js';
import { NEARBY_LIMITS, type NearbyLimits, queryNearby } from '../db/nearby.js';
import { queryDue, queryIndexPage, queryPartition } from '../db/paging.js';
import { eventKeys, parseTimeSort, seatKeys, table } from '../db/table.js';
import { TableWriter } from '../db/transactions.js';
import { type EventState, raisesIntoPool, type Venue } from '../domain/event-model.js';
import type {
  EventRepository,
  EventRepositoryNearQuery,
  EventRepositoryQuery,
  NearbyEvent,
  NearbyListing,
  PendingCancellation,
} from '../domain/event-ports.js';
import type { Page } from '../domain/page.js';
import type { TakenSeat } from '../domain/seat-map.js';

type Item = Record<string, unknown>;

export class DynamoEventRepository implements EventRepository {
  /** `nearbyLimits`: what one radius search may read; tests shrink it. */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nearbyLimits: NearbyLimits = NEARBY_LIMITS,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  private readonly writer: TableWriter;

  async insert(event: EventState): Promise<void> {
    const outcome = await this.writer.transact(
      [this.writer.put(metaWrites.insert(event)), this.writer.put(inventoryWrites.insert(event))],
      { retryConflicts: false },
    );
    if (!outcome.ok) throw outcome.error;
  }

  async get(eventId: string, { consistent } = { consistent: true }): Promise<EventState | null> {
    // Exactly the two items: the event's partition also holds one live-ticket counter
    // per customer, which a Query would read (and page through) on every hold.
    const wanted = [eventKeys.meta(eventId), eventKeys.inventory(eventId)];
    const found = await batchGetAll(this.client, this.tableName, wanted, { consistent });
    const meta = found.find((item) => item.sk === wanted[0]?.sk);
    const inventory = found.find((item) => item.sk === wanted[1]?.sk);
    return meta && inventory ? eventFromItems(meta, inventory) : null;
  }

  async getMany(eventIds: readonly string[]): Promise<EventState[]> {
    const unique = [...new Set(eventIds)];
    const events: EventState[] = [];
    // Two keys per event and 100 per BatchGetItem: 50 events a call.
    for (let start = 0; start < unique.length; start += 50) {
      const chunk = unique.slice(start, start + 50);
      const keys = chunk.flatMap((id) => [eventKeys.meta(id), eventKeys.inventory(id)]);
      const found = await batchGetAll(this.client, this.tableName, keys, { consistent: false });
      const byKey = new Map(found.map((item) => [`${item.pk}|${item.sk}`, item]));
      for (const id of chunk) {
        const meta = byKey.get(`${eventKeys.meta(id).pk}|META`);
        const inventory = byKey.get(`${eventKeys.inventory(id).pk}|INVENTORY`);
        if (meta && inventory) events.push(eventFromItems(meta, inventory));
      }
    }
    return events;
  }

  async list(query: EventRepositoryQuery): Promise<Page<EventState>> {
    const conditions = new ItemExpression();
    if (query.index === 'byOrganizer' && query.status !== undefined) {
      conditions.compare('status', '=', query.status);
    }
    if (query.nameContains !== undefined) nameContains(conditions, query.nameContains);
    const filter = conditions.toFilter();
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
      ...(filter && { filter }),
    });
    const inventories = await this.inventoriesOf(page.items.map((meta) => String(meta.id)));
    const items = page.items.flatMap((meta) => {
      const inventory = inventories.get(String(meta.id));
      return inventory ? [eventFromItems(meta, inventory)] : [];
    });
    return { items, nextCursor: page.nextCursor };
  }

  async update(before: EventState, after: EventState): Promise<'applied' | 'stale'> {
    const outcome = await this.writer.transact(
      [
        this.writer.put(metaWrites.replace(after, before.version)),
        this.writer.update(inventoryWrites.organizerChange(before, after)),
        ...raisesIntoPool(before, after).map((ticketTypeId) =>
          this.writer.put(
            waitlistWrites.markHandover(
              after.id,
              ticketTypeId,
              `${after.id}:v${after.version}`,
              after.updatedAt,
            ),
          ),
        ),
      ],
      { retryConflicts: false },
    );
    if (outcome.ok) return 'applied';
    if (isLostRace(outcome.codes)) return 'stale';
    throw outcome.error;
  }

  async delete(event: EventState): Promise<'deleted' | 'has-orders' | 'stale'> {
    const outcome = await this.writer.transact(
      [
        this.writer.delete(metaWrites.remove(event)),
        this.writer.delete(inventoryWrites.removeUnordered(event)),
        this.writer.put(deletionWrites.mark(eventKeys.meta(event.id))),
      ],
      { retryConflicts: false },
    );
    if (outcome.ok) return 'deleted';
    if (!isLostRace(outcome.codes)) throw outcome.error;
    const [meta, inventory] = outcome.codes;
    // orderCount only grows, so a failed inventory condition on an unchanged event means orders exist.
    return inventory === 'ConditionalCheckFailed' && meta !== 'ConditionalCheckFailed'
      ? 'has-orders'
      : 'stale';
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
      return inventory ? [{ event: eventFromItems(item, inventory), distanceMetres }] : [];
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

  unlistNearby(eventId: string, now: string): Promise<boolean> {
    return this.writer.updateIf(metaWrites.unlistNearby(eventId, now));
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

  requeueCancellation(eventId: string, at: string, cursor: string | null): Promise<boolean> {
    return this.writer.updateIf(inventoryWrites.requeueCancellation(eventId, at, cursor));
  }

  endCancellation(event: EventState): Promise<boolean> {
    return this.writer.updateIf(inventoryWrites.endCancellation(event));
  }

  async takenSeats(eventId: string, sections: readonly string[]): Promise<TakenSeat[]> {
    const perSection = await Promise.all(
      sections.map((section) => this.takenSeatsOf(seatKeys.sectionPartition(eventId, section))),
    );
    return perSection.flat();
  }

  /** A section's items fit one Query page up to ~10,000 seats; larger ones page on. */
  private async takenSeatsOf(partition: string): Promise<TakenSeat[]> {
    const items = await queryPartition(this.client, this.tableName, partition, {
      consistent: true,
    });
    return items.map(takenSeatFromItem);
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
  const conditions = new ItemExpression().compare('startsAt', '>', query.startsAfter);
  if (query.status !== undefined) conditions.compare('status', '=', query.status);
  if (query.index === 'byOrganizer') conditions.compare('organizerId', '=', query.organizerId);
  if (query.from !== undefined) conditions.compare('startsAt', '>=', query.from);
  if (query.to !== undefined) conditions.compare('startsAt', '<=', query.to);
  if (query.nameContains !== undefined) nameContains(conditions, query.nameContains);
  return conditions.toFilter();
}

/** The free-text search: names are stored lower-cased, so it ignores case. */
function nameContains(conditions: ItemExpression, text: string): void {
  conditions.when(
    `contains(${conditions.path('nameLower')}, ${conditions.value(text.toLowerCase())})`,
  );
}

/** A condition failed or another transaction held an item: decide again on fresh state. */
function isLostRace(codes: (string | undefined)[]): boolean {
  return codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict');
}
