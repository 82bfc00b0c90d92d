import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { deletionWrites } from '../db/entities/audit.js';
import { customerTicketsWrites, orderWrites } from '../db/entities/order.js';
import { outboxWrites } from '../db/entities/outbox.js';
import { seatIdsOf, seatWrites } from '../db/entities/seat.js';
import {
  counterOf,
  entryFromItem,
  handoverFromItem,
  waitlistCounters,
  waitlistWrites,
} from '../db/entities/waitlist.js';
import { ItemExpression } from '../db/expression.js';
import { queryDue, queryPartition } from '../db/paging.js';
import { eventKeys, seatKeys, table, waitlistKeys } from '../db/table.js';
import { TableWriter, TRANSACTION_ITEM_LIMIT } from '../db/transactions.js';
import { type Order, ticketCount } from '../domain/order-model.js';
import { MY_WAITLIST_LIMIT } from '../domain/waitlist.js';
import type { WaitlistEntry } from '../domain/waitlist-model.js';
import type {
  JoinOutcome,
  OfferOutcome,
  PendingHandover,
  WaitlistRepository,
  WaitlistStock,
} from '../domain/waitlist-ports.js';

type Item = Record<string, unknown>;

const { collection, byOwner } = table.globalSecondaryIndexes;
/** Seats a pool puts back on sale per transaction, beside its INVENTORY update. */
const SEATS_PER_RELEASE = TRANSACTION_ITEM_LIMIT - 1;

/** The waitlist in DynamoDB: every change one transaction with the INVENTORY counters. */
export class DynamoWaitlistRepository implements WaitlistRepository {
  private readonly writer: TableWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  async get(entryId: string): Promise<WaitlistEntry | null> {
    const item = await this.read(waitlistKeys.entry(entryId));
    return item ? entryFromItem(item) : null;
  }

  async join(entry: WaitlistEntry, now: string): Promise<JoinOutcome> {
    const outcome = await this.writer.transact([
      this.writer.put(waitlistWrites.insert(entry)),
      this.writer.put(waitlistWrites.claim(entry)),
      this.writer.update(waitlistWrites.join(entry, now), { returnItemOnFailure: true }),
    ]);
    if (outcome.ok) return 'joined';
    const [, claimCode, inventoryCode] = outcome.codes;
    if (claimCode === 'ConditionalCheckFailed') return 'already-waitlisted';
    if (inventoryCode !== 'ConditionalCheckFailed') throw outcome.error;
    const raw = outcome.items[2] as Record<string, AttributeValue> | undefined;
    const inventory = raw ? unmarshall(raw) : undefined;
    const onSale = inventory?.status === 'PUBLISHED' && String(inventory.startsAt) > now;
    return onSale ? 'not-sold-out' : 'not-on-sale';
  }

  async remove(entry: WaitlistEntry): Promise<boolean> {
    const deletion = this.writer.put(deletionWrites.mark(waitlistKeys.entry(entry.id)));
    if (entry.status === 'OFFERED') {
      const outcome = await this.writer.transact([
        this.writer.delete(waitlistWrites.forget(entry)),
        deletion,
      ]);
      if (outcome.ok) return true;
      if (outcome.codes[0] === 'ConditionalCheckFailed') return false;
      throw outcome.error;
    }
    const leave = waitlistWrites.leave(entry);
    const outcome = await this.writer.transact([
      this.writer.delete(leave.entry),
      this.writer.delete(waitlistWrites.unclaim(entry)),
      this.writer.update(leave.inventory),
      deletion,
    ]);
    if (outcome.ok) return true;
    if (outcome.codes[0] === 'ConditionalCheckFailed') return false;
    throw outcome.error;
  }

  async positionOf(entry: WaitlistEntry): Promise<number> {
    let ahead = 0;
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: collection.indexName,
          KeyConditionExpression: '#pk = :pk AND #sk < :sk',
          ExpressionAttributeNames: { '#pk': collection.partitionKey, '#sk': collection.sortKey },
          ExpressionAttributeValues: {
            ':pk': waitlistKeys.linePartition(entry.eventId, entry.ticketTypeId),
            ':sk': waitlistKeys.joinedAtSort(entry.createdAt, entry.id),
          },
          Select: 'COUNT',
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      ahead += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return ahead + 1;
  }

  async listByCustomer(userId: string): Promise<WaitlistEntry[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byOwner.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': byOwner.partitionKey },
        ExpressionAttributeValues: { ':pk': waitlistKeys.byCustomerPartition(userId) },
        ScanIndexForward: false,
        Limit: MY_WAITLIST_LIMIT,
      }),
    );
    return (page.Items ?? []).map(entryFromItem);
  }

  async line(eventId: string, ticketTypeId: string, limit: number): Promise<WaitlistEntry[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: collection.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': collection.partitionKey },
        ExpressionAttributeValues: { ':pk': waitlistKeys.linePartition(eventId, ticketTypeId) },
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map(entryFromItem);
  }

  async stock(eventId: string, ticketTypeId: string): Promise<WaitlistStock | null> {
    const inventory = await this.read(eventKeys.inventory(eventId));
    const ticketType = (inventory?.ticketTypes as Record<string, Item> | undefined)?.[ticketTypeId];
    if (!inventory || !ticketType) return null;
    return {
      status: inventory.status as string,
      startsAt: inventory.startsAt as string,
      holdSeconds: inventory.holdSeconds as number,
      maxTicketsPerOrder: inventory.maxTicketsPerOrder as number,
      available: ticketType.available as number,
      priceCents: ticketType.priceCents as number,
      waiting: counterOf(inventory, waitlistCounters.waiting(ticketTypeId)),
      reserved: counterOf(inventory, waitlistCounters.reserved(ticketTypeId)),
      joined: counterOf(inventory, waitlistCounters.joined(ticketTypeId)),
    };
  }

  async reservedSeats(eventId: string, sections: readonly string[]): Promise<string[]> {
    const filter = new ItemExpression().compare('status', '=', 'RESERVED').toFilter();
    const perSection = await Promise.all(
      sections.map((section) =>
        queryPartition(this.client, this.tableName, seatKeys.sectionPartition(eventId, section), {
          consistent: true,
          ...(filter && { filter }),
        }),
      ),
    );
    return perSection.flat().map((item) => item.seatId as string);
  }

  async offer(
    entry: WaitlistEntry,
    order: Order,
    take: { fromPool: number; perCustomer: number; now: string },
  ): Promise<OfferOutcome> {
    const outcome = await this.writer.transact([
      this.writer.update(waitlistWrites.offered(entry, order.id, take.now)),
      this.writer.delete(waitlistWrites.unclaim(entry)),
      this.writer.update(waitlistWrites.offerStock(order, take.fromPool, take.now)),
      this.writer.update(customerTicketsWrites.take(order, ticketCount(order), take.perCustomer)),
      this.writer.put(orderWrites.insert(order)),
      this.writer.put(outboxWrites.insert(order, 'waitlist-offer', take.now)),
      ...seatIdsOf(order).map((seatId) => this.writer.update(seatWrites.offer(order, seatId))),
    ]);
    if (outcome.ok) return 'offered';
    const [entryCode, , inventoryCode, customerCode] = outcome.codes;
    if (entryCode === 'ConditionalCheckFailed') return 'entry-gone';
    if (customerCode === 'ConditionalCheckFailed') return 'customer-at-cap';
    const seatTaken = outcome.codes.slice(6).includes('ConditionalCheckFailed');
    if (inventoryCode === 'ConditionalCheckFailed' || seatTaken) return 'stock-moved';
    if (outcome.codes.includes('TransactionConflict')) return 'stock-moved';
    throw outcome.error;
  }

  async releasePool(
    eventId: string,
    ticketTypeId: string,
    pool: { count: number; seatIds: readonly string[]; joined: number },
  ): Promise<boolean> {
    if (pool.seatIds.length === 0) {
      return this.writer.updateIf(waitlistWrites.releasePool(eventId, ticketTypeId, pool));
    }
    for (let start = 0; start < pool.seatIds.length; start += SEATS_PER_RELEASE) {
      const seatIds = pool.seatIds.slice(start, start + SEATS_PER_RELEASE);
      const outcome = await this.writer.transact([
        this.writer.update(
          waitlistWrites.releasePool(eventId, ticketTypeId, { ...pool, count: seatIds.length }),
        ),
        ...seatIds.map((seatId) => this.writer.delete(seatWrites.unreserve(eventId, seatId))),
      ]);
      if (!outcome.ok) {
        if (outcome.codes.includes('ConditionalCheckFailed')) return false;
        if (outcome.codes.includes('TransactionConflict')) return false;
        throw outcome.error;
      }
    }
    return true;
  }

  async pendingHandover(eventId: string, ticketTypeId: string): Promise<PendingHandover | null> {
    const item = await this.read(waitlistKeys.handover(eventId, ticketTypeId));
    return item ? handoverFromItem(item) : null;
  }

  async endHandover(pending: PendingHandover): Promise<void> {
    await this.writer.deleteIf(waitlistWrites.endHandover(pending));
  }

  async dueHandovers(before: string, limit: number): Promise<PendingHandover[]> {
    const due = await queryDue(
      this.client,
      this.tableName,
      waitlistKeys.handoverPartition,
      before,
      limit,
    );
    return due.map(handoverFromItem);
  }

  private async read(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return item;
  }
}
