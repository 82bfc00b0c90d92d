import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { encodeCursor } from '../db/cursor.js';
import { queryDue, queryIndexPage } from '../db/paging.js';
import {
  analyticsKeys,
  type EmailKind,
  emailKeys,
  eventKeys,
  orderKeys,
  table,
} from '../db/table.js';
import { cancellationCodes } from '../db/transactions.js';
import { analyticsDayOf } from '../domain/analytics-model.js';
import type { OrderResolution } from '../domain/event-model.js';
import type { Page } from '../domain/events.js';
import { type Order, type StoredOrderStatus, ticketCount } from '../domain/order-model.js';
import type { HoldOutcome, OrderListQuery, OrderRepository } from '../domain/order-ports.js';
import { resolvedOrderAttributes } from './dynamo-event-repository.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Counter = 'available' | 'held' | 'sold' | 'revenueCents';

const { collection, byOwner, due } = table.globalSecondaryIndexes;

/** Transactions that lose to a concurrent one on a hot item retry this often. */
const CONFLICT_RETRIES = 8;

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
    const inventory = this.counterUpdate(order, (item) => ({
      available: -item.quantity,
      held: item.quantity,
    }));
    inventory.UpdateExpression += ', #orderCount = #orderCount + :one';
    inventory.ExpressionAttributeNames['#orderCount'] = 'orderCount';
    inventory.ExpressionAttributeValues[':one'] = 1;
    const conditions = ['#status = :published', '#startsAt > :now'];
    Object.assign(inventory.ExpressionAttributeNames, {
      '#status': 'status',
      '#startsAt': 'startsAt',
    });
    Object.assign(inventory.ExpressionAttributeValues, {
      ':published': 'PUBLISHED',
      ':now': limits.now,
    });
    order.items.forEach((item, index) => {
      conditions.push(`ticketTypes.#t${index}.#available >= :take${index}`);
      inventory.ExpressionAttributeValues[`:take${index}`] = item.quantity;
    });
    const outcome = await this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: eventKeys.inventory(order.eventId),
          ...inventory,
          ConditionExpression: conditions.join(' AND '),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: orderKeys.customerTickets(order.eventId, order.customer.userId),
          UpdateExpression: 'SET #live = if_not_exists(#live, :zero) + :tickets',
          ConditionExpression: 'attribute_not_exists(#live) OR #live <= :room',
          ExpressionAttributeNames: { '#live': 'live' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':tickets': tickets,
            ':room': limits.perCustomer - tickets,
          },
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

  async startPayment(order: Order, paymentToken: string, now: string): Promise<boolean> {
    return this.updateOrder(order.id, {
      set: { status: 'PAYING', paymentToken, updatedAt: now },
      condition: '#status = :from AND #expiresAt > :now',
      names: { '#expiresAt': 'expiresAt' },
      values: { ':from': 'HELD', ':now': now },
    });
  }

  async abandonPayment(order: Order, now: string): Promise<boolean> {
    return this.updateOrder(order.id, {
      set: { status: 'HELD', updatedAt: now },
      remove: ['paymentToken'],
      condition: '#status = :from',
      values: { ':from': 'PAYING' },
    });
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
      condition: { expression: '#expiresAt <= :now', names: { '#expiresAt': 'expiresAt' } },
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
      condition: { expression: '#expiresAt > :now', names: { '#expiresAt': 'expiresAt' } },
      set: { cancelledAt: now },
      remove: [due.partitionKey, due.sortKey],
      counters: (item) => ({ available: item.quantity, held: -item.quantity }),
      resolved: { cancelled: 1 },
      liveTickets: -ticketCount(order),
      email,
    });
  }

  refund(order: Order, now: string, email: EmailKind): Promise<boolean> {
    return this.transition(order, {
      from: 'CONFIRMED',
      to: 'REFUNDED',
      now,
      set: { cancelledAt: now },
      counters: (item) => ({
        available: item.quantity,
        sold: -item.quantity,
        revenueCents: -item.quantity * item.unitPriceCents,
      }),
      resolved: { confirmed: -1, refunded: 1 },
      liveTickets: -ticketCount(order),
      email,
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
      } else {
        filters.push('#status = :status');
        values[':status'] = query.status;
        delete names['#expiresAt'];
        delete values[':now'];
      }
    }
    if (query.live) {
      names['#status'] = 'status';
      filters.push('#status IN (:liveHeld, :livePaying, :liveConfirmed)');
      Object.assign(values, {
        ':liveHeld': 'HELD',
        ':livePaying': 'PAYING',
        ':liveConfirmed': 'CONFIRMED',
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
      condition?: { expression: string; names: Record<string, string> };
      set?: Record<string, unknown>;
      remove?: string[];
      counters: (item: Order['items'][number]) => Partial<Record<Counter, number>>;
      /** How the event's and the day's counts of orders by resolution move. */
      resolved: Partial<Record<OrderResolution, number>>;
      liveTickets: number;
      email: EmailKind;
    },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = {
      ':from': change.from,
      ':to': change.to,
      ':now': change.now,
    };
    const sets = ['#status = :to', '#updatedAt = :now'];
    for (const [field, value] of Object.entries(change.set ?? {})) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    const removes = (change.remove ?? []).map((field) => {
      names[`#${field}`] = field;
      return `#${field}`;
    });
    Object.assign(names, change.condition?.names);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: orderKeys.order(order.id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: ['#status = :from', change.condition?.expression]
            .filter(Boolean)
            .join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: eventKeys.inventory(order.eventId),
          ...withResolvedOrders(this.counterUpdate(order, change.counters), change.resolved),
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
          UpdateExpression: 'SET #live = #live + :delta',
          ExpressionAttributeNames: { '#live': 'live' },
          ExpressionAttributeValues: { ':delta': change.liveTickets },
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
    const outcome = await this.transact(items);
    if (outcome.ok) return true;
    if (outcome.codes[0] === 'ConditionalCheckFailed') return false;
    throw outcome.error;
  }

  /** SET ticketTypes.<id>.<counter> += delta for every item of the order. */
  private counterUpdate(
    order: Order,
    deltas: (item: Order['items'][number]) => Partial<Record<Counter, number>>,
  ) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    order.items.forEach((item, index) => {
      names[`#t${index}`] = item.ticketTypeId;
      for (const [counter, delta] of Object.entries(deltas(item))) {
        if (delta === 0) continue;
        names[`#${counter}`] = counter;
        values[`:${counter}${index}`] = delta;
        const path = `ticketTypes.#t${index}.#${counter}`;
        sets.push(`${path} = ${path} + :${counter}${index}`);
      }
    });
    return {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  private async updateOrder(
    orderId: string,
    change: {
      set: Record<string, unknown>;
      remove?: string[];
      condition: string;
      names?: Record<string, string>;
      values: Record<string, unknown>;
    },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', ...change.names };
    const values: Record<string, unknown> = { ...change.values };
    const sets = Object.entries(change.set).map(([field, value]) => {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      return `#${field} = :${field}`;
    });
    const removes = (change.remove ?? []).map((field) => {
      names[`#${field}`] = field;
      return `#${field}`;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKeys.order(orderId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: change.condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Runs a transaction, retrying when it only lost to a concurrent transaction on the
   * same item (a hot event on AWS). Reports which conditions failed, with the items
   * returned for them, instead of throwing.
   */
  private async transact(
    items: TransactItem[],
  ): Promise<
    | { ok: true }
    | { ok: false; codes: (string | undefined)[]; items: (Item | undefined)[]; error: unknown }
  > {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { ok: true };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        const conflictOnly =
          codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
        if (conflictOnly && attempt < CONFLICT_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
          continue;
        }
        const reasons = (error as { CancellationReasons?: { Item?: Item }[] }).CancellationReasons;
        return { ok: false, codes, items: (reasons ?? []).map((reason) => reason.Item), error };
      }
    }
  }
}

type Update = {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
};

/**
 * Adds the event's order counts by resolution to its INVENTORY update; if_not_exists
 * starts them on items written before they existed.
 */
function withResolvedOrders(
  update: Update,
  resolved: Partial<Record<OrderResolution, number>>,
): Update {
  const sets: string[] = [];
  const names = { ...update.ExpressionAttributeNames };
  const values: Record<string, unknown> = { ...update.ExpressionAttributeValues, ':zero': 0 };
  for (const [resolution, delta] of Object.entries(resolved) as [OrderResolution, number][]) {
    const attribute = resolvedOrderAttributes[resolution];
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = delta;
    sets.push(`#${attribute} = if_not_exists(#${attribute}, :zero) + :${attribute}`);
  }
  return {
    UpdateExpression: `${update.UpdateExpression}, ${sets.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The counters of the order's creation day for its event. ADD creates the item and
 * each counter at zero, so no transition needs to know whether another came first.
 */
function analyticsUpdate(
  order: Order,
  counters: (item: Order['items'][number]) => Partial<Record<Counter, number>>,
  resolved: Partial<Record<OrderResolution, number>>,
): Update {
  let ticketsSold = 0;
  let revenueCents = 0;
  for (const item of order.items) {
    const { sold = 0, revenueCents: revenue = 0 } = counters(item);
    ticketsSold += sold;
    revenueCents += revenue;
  }
  const deltas: Record<string, number> = { ...resolved, ticketsSold, revenueCents };
  const names: Record<string, string> = {
    '#entity': 'entity',
    '#eventId': 'eventId',
    '#currency': 'currency',
  };
  const values: Record<string, unknown> = {
    ':entity': 'EventDayAnalytics',
    ':eventId': order.eventId,
    ':currency': order.currency,
  };
  const adds: string[] = [];
  for (const [counter, delta] of Object.entries(deltas)) {
    if (delta === 0) continue;
    names[`#${counter}`] = counter;
    values[`:${counter}`] = delta;
    adds.push(`#${counter} :${counter}`);
  }
  return {
    UpdateExpression: `SET #entity = :entity, #eventId = :eventId, #currency = :currency ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
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
