import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { encodeCursor } from '../db/cursor.js';
import { itemsOfEntries, queryDueShards } from '../db/due-shards.js';
import { analyticsDayWrites } from '../db/entities/analytics-day.js';
import { inventoryWrites, type StockCounter } from '../db/entities/inventory.js';
import {
  customerTicketsWrites,
  type OrderTransition,
  orderFromItem,
  orderWrites,
} from '../db/entities/order.js';
import { outboxWrites } from '../db/entities/outbox.js';
import { seatIdsOf, seatWrites } from '../db/entities/seat.js';
import { counterOf, waitlistCounters, waitlistWrites } from '../db/entities/waitlist.js';
import { ItemExpression } from '../db/expression.js';
import { queryIndexPage } from '../db/paging.js';
import { orderKeys, table } from '../db/table.js';
import { TableWriter, type TransactItem } from '../db/transactions.js';
import type { EmailKind } from '../domain/email-model.js';
import type { OrderResolution } from '../domain/event-model.js';
import {
  type Order,
  type OrderStatus,
  type StoredOrderStatus,
  ticketCount,
} from '../domain/order-model.js';
import type {
  HoldOutcome,
  OrderListQuery,
  OrderRepository,
  Released,
} from '../domain/order-ports.js';
import type { Page } from '../domain/page.js';

const { collection, dueSharded: due } = table.globalSecondaryIndexes;
/**
 * A release reads who waits from the INVENTORY its condition failed on and routes again;
 * only entries joining or leaving between the attempts make it take another.
 */
const RELEASE_ROUTING_ATTEMPTS = 5;

/**
 * Orders in DynamoDB. Every state change is one transaction composed of the entities'
 * own writes (`shared/db/entities`): the order, its event's INVENTORY, the customer's
 * live tickets, the outbox message and the analytics day.
 */
export class DynamoOrderRepository implements OrderRepository {
  private readonly writer: TableWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  async get(orderId: string): Promise<Order | null> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orderKeys.order(orderId),
        ConsistentRead: true,
      }),
    );
    return item ? orderFromItem(item) : null;
  }

  async hold(order: Order, limits: { perCustomer: number; now: string }): Promise<HoldOutcome> {
    const seatIds = seatIdsOf(order);
    const fixed = [
      this.writer.update(inventoryWrites.take(order, limits.now), { returnItemOnFailure: true }),
      this.writer.update(customerTicketsWrites.take(order, ticketCount(order), limits.perCustomer)),
      this.writer.put(orderWrites.insert(order)),
    ];
    const outcome = await this.writer.transact([
      ...fixed,
      ...seatIds.map((seatId) => this.writer.put(seatWrites.hold(order, seatId))),
    ]);
    if (outcome.ok) return 'held';
    const [inventoryCode, customerCode] = outcome.codes;
    let onSale = true;
    if (inventoryCode === 'ConditionalCheckFailed') {
      const raw = outcome.items[0];
      // ReturnValuesOnConditionCheckFailure hands back raw attribute values, not documents.
      const current = raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;
      onSale = current?.status === 'PUBLISHED' && String(current.startsAt) > limits.now;
    }
    if (!onSale) return 'not-on-sale';
    // Reasons come in item order: the seat Puts follow the fixed items. A taken seat is
    // the precise answer even when the stock ran short with it.
    const seatsTaken = seatIds.filter(
      (_, index) => outcome.codes[fixed.length + index] === 'ConditionalCheckFailed',
    );
    if (seatsTaken.length > 0) return { seatsTaken };
    if (inventoryCode === 'ConditionalCheckFailed') return 'sold-out';
    if (customerCode === 'ConditionalCheckFailed') return 'limit-exceeded';
    if (outcome.codes.includes('TransactionConflict')) return 'contended';
    throw outcome.error;
  }

  startPayment(order: Order, paymentToken: string, now: string): Promise<boolean> {
    return this.writer.updateIf(orderWrites.startPayment(order, paymentToken, now));
  }

  abandonPayment(order: Order, now: string): Promise<boolean> {
    return this.writer.updateIf(orderWrites.abandonPayment(order, now));
  }

  async confirm(order: Order, payment: { paymentId: string; paidAt: string }): Promise<boolean> {
    return (
      null !==
      (await this.transition(order, {
        from: 'PAYING',
        to: 'CONFIRMED',
        now: payment.paidAt,
        set: { paidAt: payment.paidAt, paymentId: payment.paymentId },
        remove: ['paymentToken', due.partitionKey, due.sortKey],
        counters: (item) => ({
          held: -item.quantity,
          sold: item.quantity,
          revenueCents: item.quantity * item.unitPriceCents,
        }),
        resolved: { confirmed: 1 },
        liveTickets: 0,
        seats: 'sell',
        email: 'order-confirmed',
      }))
    );
  }

  expire(order: Order, now: string, email: EmailKind): Promise<Released | null> {
    return this.transition(order, {
      from: 'HELD',
      to: 'EXPIRED',
      now,
      // The one guard that matters: a paid order is never HELD, a live hold never past due.
      condition: (change) => change.compare('expiresAt', '<=', now),
      remove: [due.partitionKey, due.sortKey],
      counters: (item) => ({ available: item.quantity, held: -item.quantity }),
      resolved: { expired: 1 },
      liveTickets: -ticketCount(order),
      seats: 'release',
      frees: true,
      email,
    });
  }

  cancelHeld(order: Order, now: string, email: EmailKind): Promise<Released | null> {
    return this.transition(order, {
      from: 'HELD',
      to: 'CANCELLED',
      now,
      condition: (change) => change.compare('expiresAt', '>', now),
      set: { cancelledAt: now },
      remove: [due.partitionKey, due.sortKey],
      counters: (item) => ({ available: item.quantity, held: -item.quantity }),
      resolved: { cancelled: 1 },
      liveTickets: -ticketCount(order),
      seats: 'release',
      frees: true,
      email,
    });
  }

  startRefund(
    order: Order,
    refund: { now: string; email: EmailKind; recoverAt: string },
  ): Promise<boolean> {
    return this.writer.updateIf(orderWrites.startRefund(order, refund));
  }

  refund(order: Order, now: string): Promise<Released | null> {
    return this.transition(order, {
      from: 'REFUNDING',
      to: 'REFUNDED',
      now,
      set: { cancelledAt: now },
      remove: ['refundEmail', due.partitionKey, due.sortKey],
      counters: (item) => ({
        available: item.quantity,
        sold: -item.quantity,
        revenueCents: -item.quantity * item.unitPriceCents,
      }),
      resolved: { confirmed: -1, refunded: 1 },
      liveTickets: -ticketCount(order),
      seats: 'release',
      frees: true,
      email: order.refundEmail ?? 'order-refunded',
    });
  }

  async listByEvent(eventId: string, query: OrderListQuery): Promise<Page<Order>> {
    return this.list('collection', orderKeys.byEventPartition(eventId), query);
  }

  eventCursorAfter(order: Order): string {
    // The key `listByEvent` pages by: the one a page ending on this order resumes after.
    return encodeCursor({
      ...orderKeys.order(order.id),
      [collection.partitionKey]: orderKeys.byEventPartition(order.eventId),
      [collection.sortKey]: orderKeys.createdAtSort(order.createdAt, order.id),
    });
  }

  async listByCustomer(userId: string, query: OrderListQuery): Promise<Page<Order>> {
    return this.list('byOwner', orderKeys.byCustomerPartition(userId), query);
  }

  async dueForExpiry(now: string, limit: number): Promise<Order[]> {
    const due = await queryDueShards(this.client, this.tableName, orderKeys.expiringShards.all, {
      before: now,
      limit,
    });
    const orders = await itemsOfEntries(this.client, this.tableName, due.slice(0, limit));
    return orders.map(orderFromItem);
  }

  private async list(
    index: 'collection' | 'byOwner',
    partition: string,
    query: OrderListQuery,
  ): Promise<Page<Order>> {
    const conditions = new ItemExpression();
    if (query.status !== undefined) conditions.when(statusIs(conditions, query.status, query.now));
    if (query.live) {
      conditions.when(statusIn(conditions, ['HELD', 'PAYING', 'CONFIRMED', 'REFUNDING']));
    }
    if (query.customerEmail !== undefined) {
      conditions.compare('customerEmail', '=', query.customerEmail);
    }
    if (query.organizerId !== undefined) conditions.compare('organizerId', '=', query.organizerId);
    const filter = conditions.toFilter();
    const page = await queryIndexPage(this.client, this.tableName, {
      index,
      partition,
      itemKey: orderKeys.order,
      limit: query.limit,
      newestFirst: true,
      // Sort values are `<createdAt>#<id>`: the sentinel keeps every id of `createdTo`.
      ...(query.createdFrom !== undefined && { low: query.createdFrom }),
      ...(query.createdTo !== undefined && { high: `${query.createdTo}#\uffff` }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
      ...(filter && { filter }),
    });
    return { items: page.items.map(orderFromItem), nextCursor: page.nextCursor };
  }

  /**
   * One order state change as one transaction: the order (conditional on its status),
   * the event's counters by delta, the customer's live tickets, the email for it into
   * the outbox, the analytics counters of the day the order was created, and each of
   * its seats (sold, or released for someone else), only while this order has it. False
   * when the order was no longer in `from`.
   */
  private async transition(order: Order, change: TransitionChange): Promise<Released | null> {
    let pooled: ReadonlySet<string> = new Set();
    for (let attempt = 0; attempt < RELEASE_ROUTING_ATTEMPTS; attempt++) {
      const outcome = await this.writer.transact(this.transitionItems(order, change, pooled));
      if (outcome.ok) return { pooled: [...pooled] };
      const [orderCode, inventoryCode] = outcome.codes;
      if (orderCode === 'ConditionalCheckFailed') return null;
      if (!change.frees || inventoryCode !== 'ConditionalCheckFailed') throw outcome.error;
      // Someone waits (or stopped waiting) for some of these tickets: route by the counts.
      const raw = outcome.items[1] as Record<string, AttributeValue> | undefined;
      const inventory = raw ? unmarshall(raw) : {};
      pooled = new Set(
        order.items
          .map(({ ticketTypeId }) => ticketTypeId)
          .filter((id) => counterOf(inventory, waitlistCounters.waiting(id)) > 0),
      );
    }
    throw new Error(`Order ${order.id}: the waitlist kept changing under its release`);
  }

  /**
   * One order state change as one transaction: the order (conditional on its status),
   * the event's counters by delta, the email for it into the outbox, the customer's live
   * tickets, the analytics counters of the day the order was created, and each of its
   * seats (sold, released for someone else or kept for the waitlist), only while this
   * order has it. A release of tickets someone waits for (`pooled`) keeps them in their
   * type's pool and marks the pool for the hand-over, in the same transaction.
   */
  private transitionItems(
    order: Order,
    change: TransitionChange,
    pooled: ReadonlySet<string>,
  ): TransactItem[] {
    const inventory = change.frees
      ? this.writer.update(
          inventoryWrites.release(order, change.counters, change.resolved, pooled),
          { returnItemOnFailure: true },
        )
      : this.writer.update(inventoryWrites.move(order, change.counters, change.resolved));
    const items: TransactItem[] = [
      this.writer.update(orderWrites.transition(order, change)),
      inventory,
      this.writer.put(outboxWrites.insert(order, change.email, change.now)),
    ];
    if (change.liveTickets !== 0) {
      items.push(this.writer.update(customerTicketsWrites.move(order, change.liveTickets)));
    }
    items.push(
      this.writer.update(analyticsDayWrites.count(order, change.counters, change.resolved)),
    );
    for (const item of order.items) {
      const kept = pooled.has(item.ticketTypeId);
      for (const seatId of item.seatIds ?? []) {
        if (change.seats === 'sell') items.push(this.writer.update(seatWrites.sell(order, seatId)));
        else if (kept) items.push(this.writer.update(seatWrites.reserve(order, seatId)));
        else items.push(this.writer.delete(seatWrites.release(order, seatId)));
      }
    }
    for (const ticketTypeId of pooled) {
      const token = `${order.id}:${change.to}`;
      items.push(
        this.writer.put(
          waitlistWrites.markHandover(order.eventId, ticketTypeId, token, change.now),
        ),
      );
    }
    return items;
  }
}

interface TransitionChange extends OrderTransition {
  counters: (item: Order['items'][number]) => Partial<Record<StockCounter, number>>;
  /** How the event's and the day's counts of orders by resolution move. */
  resolved: Partial<Record<OrderResolution, number>>;
  liveTickets: number;
  seats: 'sell' | 'release';
  /** A release: the tickets go to whoever waits for them first, else back on sale. */
  frees?: true;
  email: EmailKind;
}

/**
 * The orders a listed status stands for, as stored: reads derive EXPIRED from HELD and
 * `expiresAt`, show PAYING as HELD and, until the money is back, REFUNDING as CONFIRMED.
 */
function statusIs(conditions: ItemExpression, status: OrderStatus, now: string): string {
  const is = (stored: StoredOrderStatus) =>
    `${conditions.path('status')} = ${conditions.value(stored)}`;
  const expiresAt = (comparator: '>' | '<=') =>
    `${conditions.path('expiresAt')} ${comparator} ${conditions.value(now)}`;
  if (status === 'HELD') return `((${is('HELD')} AND ${expiresAt('>')}) OR ${is('PAYING')})`;
  if (status === 'EXPIRED') return `(${is('EXPIRED')} OR (${is('HELD')} AND ${expiresAt('<=')}))`;
  if (status === 'CONFIRMED') return statusIn(conditions, ['CONFIRMED', 'REFUNDING']);
  return is(status);
}

function statusIn(conditions: ItemExpression, statuses: StoredOrderStatus[]): string {
  const values = statuses.map((status) => conditions.value(status));
  return `${conditions.path('status')} IN (${values.join(', ')})`;
}
