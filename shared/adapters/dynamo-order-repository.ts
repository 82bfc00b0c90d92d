import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { encodeCursor } from '../db/cursor.js';
import { ItemExpression } from '../db/expression.js';
import { queryDue, queryIndexPage } from '../db/paging.js';
import { analyticsKeys, emailKeys, eventKeys, orderKeys, table } from '../db/table.js';
import { type TransactItem, transact } from '../db/transactions.js';
import { analyticsDayOf } from '../domain/analytics-model.js';
import type { EmailKind } from '../domain/email-model.js';
import type { OrderResolution } from '../domain/event-model.js';
import { type Order, type StoredOrderStatus, ticketCount } from '../domain/order-model.js';
import type { HoldOutcome, OrderListQuery, OrderRepository } from '../domain/order-ports.js';
import type { Page } from '../domain/page.js';
import { resolvedOrderAttributes } from './dynamo-event-repository.js';

type Item = Record<string, unknown>;
type Counter = 'available' | 'held' | 'sold' | 'revenueCents';

const { collection, byOwner, due } = table.globalSecondaryIndexes;

export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<Order | null> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orderKeys.order(orderId),
        ConsistentRead: true,
      }),
    );
    return item ? fromItem(item) : null;
  }

  async hold(order: Order, limits: { perCustomer: number; now: string }): Promise<HoldOutcome> {
    const tickets = ticketCount(order);
    const inventory = new ItemExpression()
      .add('orderCount', 1)
      .compare('status', '=', 'PUBLISHED')
      .compare('startsAt', '>', limits.now);
    for (const item of order.items) {
      const stock = (counter: Counter) => ['ticketTypes', item.ticketTypeId, counter];
      inventory
        .add(stock('available'), -item.quantity)
        .add(stock('held'), item.quantity)
        .compare(stock('available'), '>=', item.quantity);
    }
    const customer = new ItemExpression().add('live', tickets);
    customer.when(
      `attribute_not_exists(${customer.path('live')}) OR ${customer.path('live')} <= ${customer.value(limits.perCustomer - tickets)}`,
    );
    const outcome = await transact(this.client, [
      {
        Update: {
          TableName: this.tableName,
          Key: eventKeys.inventory(order.eventId),
          ...inventory.toUpdate(),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: orderKeys.customerTickets(order.eventId, order.customer.userId),
          ...customer.toUpdate(),
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: toItem(order),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    if (outcome.ok) return 'held';
    const [inventoryCode, customerCode] = outcome.codes;
    if (inventoryCode === 'ConditionalCheckFailed') {
      const raw = outcome.items[0];
      // ReturnValuesOnConditionCheckFailure hands back raw attribute values, not documents.
      const current = raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;
      const onSale = current?.status === 'PUBLISHED' && String(current.startsAt) > limits.now;
      return onSale ? 'sold-out' : 'not-on-sale';
    }
    if (customerCode === 'ConditionalCheckFailed') return 'limit-exceeded';
    if (outcome.codes.includes('TransactionConflict')) return 'contended';
    throw outcome.error;
  }

  startPayment(order: Order, paymentToken: string, now: string): Promise<boolean> {
    const change = new ItemExpression()
      .set('status', 'PAYING')
      .set('paymentToken', paymentToken)
      .set('updatedAt', now)
      .compare('status', '=', 'HELD')
      .compare('expiresAt', '>', now);
    return this.updateOrder(order.id, change);
  }

  abandonPayment(order: Order, now: string): Promise<boolean> {
    const change = new ItemExpression()
      .set('status', 'HELD')
      .set('updatedAt', now)
      .remove('paymentToken')
      .compare('status', '=', 'PAYING');
    return this.updateOrder(order.id, change);
  }

  confirm(order: Order, payment: { paymentId: string; paidAt: string }): Promise<boolean> {
    return this.transition(order, {
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
      email: 'order-confirmed',
    });
  }

  expire(order: Order, now: string, email: EmailKind): Promise<boolean> {
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
      email,
    });
  }

  cancelHeld(order: Order, now: string, email: EmailKind): Promise<boolean> {
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
      email,
    });
  }

  startRefund(order: Order, refund: { now: string; email: EmailKind; recoverAt: string }) {
    const change = new ItemExpression()
      .set('status', 'REFUNDING')
      .set('refundEmail', refund.email)
      .set('updatedAt', refund.now)
      // In the due index, so the sweep finishes a refund that stops half-way.
      .set(due.partitionKey, orderKeys.expiringPartition)
      .set(due.sortKey, orderKeys.expiresAtSort(refund.recoverAt, order.id))
      .compare('status', '=', 'CONFIRMED');
    return this.updateOrder(order.id, change);
  }

  refund(order: Order, now: string): Promise<boolean> {
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
    const due = await queryDue(
      this.client,
      this.tableName,
      orderKeys.expiringPartition,
      now,
      limit,
    );
    return due.map(fromItem);
  }

  private async list(
    index: 'collection' | 'byOwner',
    partition: string,
    query: OrderListQuery,
  ): Promise<Page<Order>> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (query.status !== undefined) {
      names['#status'] = 'status';
      names['#expiresAt'] = 'expiresAt';
      values[':now'] = query.now;
      // Reads derive EXPIRED from HELD + expiresAt, and show PAYING as HELD.
      if (query.status === 'HELD') {
        filters.push('((#status = :held AND #expiresAt > :now) OR #status = :paying)');
        Object.assign(values, { ':held': 'HELD', ':paying': 'PAYING' });
      } else if (query.status === 'EXPIRED') {
        filters.push('(#status = :expired OR (#status = :held AND #expiresAt <= :now))');
        Object.assign(values, { ':held': 'HELD', ':expired': 'EXPIRED' });
      } else if (query.status === 'CONFIRMED') {
        // A refund under way shows as CONFIRMED until the money is back.
        filters.push('#status IN (:confirmed, :refunding)');
        Object.assign(values, { ':confirmed': 'CONFIRMED', ':refunding': 'REFUNDING' });
        delete names['#expiresAt'];
        delete values[':now'];
      } else {
        filters.push('#status = :status');
        values[':status'] = query.status;
        delete names['#expiresAt'];
        delete values[':now'];
      }
    }
    if (query.live) {
      names['#status'] = 'status';
      filters.push('#status IN (:liveHeld, :livePaying, :liveConfirmed, :liveRefunding)');
      Object.assign(values, {
        ':liveHeld': 'HELD',
        ':livePaying': 'PAYING',
        ':liveConfirmed': 'CONFIRMED',
        ':liveRefunding': 'REFUNDING',
      });
    }
    if (query.customerEmail !== undefined) {
      filters.push('#customerEmail = :customerEmail');
      names['#customerEmail'] = 'customerEmail';
      values[':customerEmail'] = query.customerEmail;
    }
    if (query.organizerId !== undefined) {
      filters.push('#organizerId = :organizerId');
      names['#organizerId'] = 'organizerId';
      values[':organizerId'] = query.organizerId;
    }
    const page = await queryIndexPage(this.client, this.tableName, {
      index,
      partition,
      itemKey: orderKeys.order,
      limit: query.limit,
      newestFirst: true,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
      ...(filters.length > 0 && { filter: { expression: filters.join(' AND '), names, values } }),
    });
    return { items: page.items.map(fromItem), nextCursor: page.nextCursor };
  }

  /**
   * One order state change as one transaction: the order (conditional on its status),
   * the event's counters by delta, the customer's live tickets, the email for it into
   * the outbox, and the analytics counters of the day the order was created. False
   * when the order was no longer in `from`.
   */
  private async transition(
    order: Order,
    change: {
      from: StoredOrderStatus;
      to: StoredOrderStatus;
      now: string;
      condition?: (order: ItemExpression) => void;
      set?: Record<string, unknown>;
      remove?: string[];
      counters: (item: Order['items'][number]) => Partial<Record<Counter, number>>;
      /** How the event's and the day's counts of orders by resolution move. */
      resolved: Partial<Record<OrderResolution, number>>;
      liveTickets: number;
      email: EmailKind;
    },
  ): Promise<boolean> {
    const orderChange = new ItemExpression()
      .set('status', change.to)
      .set('updatedAt', change.now)
      .compare('status', '=', change.from);
    for (const [field, value] of Object.entries(change.set ?? {})) orderChange.set(field, value);
    for (const field of change.remove ?? []) orderChange.remove(field);
    change.condition?.(orderChange);

    const inventory = new ItemExpression();
    for (const item of order.items) {
      for (const [counter, delta] of Object.entries(change.counters(item))) {
        inventory.add(['ticketTypes', item.ticketTypeId, counter], delta);
      }
    }
    // ADD starts the counts by resolution on items written before they existed.
    for (const [resolution, delta] of Object.entries(change.resolved) as [
      OrderResolution,
      number,
    ][]) {
      inventory.add(resolvedOrderAttributes[resolution], delta);
    }

    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: orderKeys.order(order.id),
          ...orderChange.toUpdate(),
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: eventKeys.inventory(order.eventId),
          ...inventory.toUpdate(),
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: outboxItem(order, change.email, change.now),
        },
      },
    ];
    if (change.liveTickets !== 0) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: orderKeys.customerTickets(order.eventId, order.customer.userId),
          ...new ItemExpression().add('live', change.liveTickets).toUpdate(),
        },
      });
    }
    items.push({
      Update: {
        TableName: this.tableName,
        Key: analyticsKeys.eventDay(analyticsDayOf(order.createdAt), order.eventId),
        ...analyticsUpdate(order, change.counters, change.resolved),
      },
    });
    const outcome = await transact(this.client, items);
    if (outcome.ok) return true;
    if (outcome.codes[0] === 'ConditionalCheckFailed') return false;
    throw outcome.error;
  }

  /** One conditional write of the order item alone; false when its condition failed. */
  private async updateOrder(orderId: string, change: ItemExpression): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKeys.order(orderId),
          ...change.toUpdate(),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/**
 * The counters of the order's creation day for its event. ADD creates the item and
 * each counter at zero, so no transition needs to know whether another came first.
 */
function analyticsUpdate(
  order: Order,
  counters: (item: Order['items'][number]) => Partial<Record<Counter, number>>,
  resolved: Partial<Record<OrderResolution, number>>,
) {
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
  return day.toUpdate();
}

function toItem(order: Order): Item {
  const created = orderKeys.createdAtSort(order.createdAt, order.id);
  const expiring = order.status === 'HELD' || order.status === 'PAYING';
  return {
    ...orderKeys.order(order.id),
    entity: 'Order',
    ...order,
    customerEmail: order.customer.email.toLowerCase(),
    [collection.partitionKey]: orderKeys.byEventPartition(order.eventId),
    [collection.sortKey]: created,
    [byOwner.partitionKey]: orderKeys.byCustomerPartition(order.customer.userId),
    [byOwner.sortKey]: created,
    ...(expiring && {
      [due.partitionKey]: orderKeys.expiringPartition,
      [due.sortKey]: orderKeys.expiresAtSort(order.expiresAt, order.id),
    }),
  };
}

function fromItem(item: Item): Order {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    customerEmail: _email,
    [collection.partitionKey]: _c1,
    [collection.sortKey]: _c2,
    [byOwner.partitionKey]: _o1,
    [byOwner.sortKey]: _o2,
    [due.partitionKey]: _d1,
    [due.sortKey]: _d2,
    ...order
  } = item;
  return order as unknown as Order;
}

/** The email to send for this change, committed with it; the relay hands it to the queue. */
function outboxItem(order: Order, kind: EmailKind, now: string): Item {
  return {
    ...emailKeys.outbox(order.id, kind),
    entity: 'OutboxMessage',
    orderId: order.id,
    kind,
    createdAt: now,
    [due.partitionKey]: emailKeys.outboxPartition,
    [due.sortKey]: emailKeys.createdAtSort(now, `${order.id}#${kind}`),
  };
}
