/**
 * An order as stored, and the customer's live-ticket counter it moves: the one place
 * that knows their attributes, their index keys and the updates each allows.
 */
import type { EmailKind } from '../../domain/email-model.js';
import type { Order, StoredOrderStatus } from '../../domain/order-model.js';
import { ItemExpression } from '../expression.js';
import { orderKeys, table } from '../table.js';
import { ACTOR_ATTRIBUTE, actorAttribute, stampActor } from './audit.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;

const { collection, byOwner, dueSharded: due } = table.globalSecondaryIndexes;

/**
 * The whole item of a new order: in its event's collection and its customer's list by
 * creation and, while its hold can run out, in its shard of the due index by `expiresAt`.
 */
export function toOrderItem(order: Order): Item {
  const created = orderKeys.createdAtSort(order.createdAt, order.id);
  const expiring = order.status === 'HELD' || order.status === 'PAYING';
  return {
    ...orderKeys.order(order.id),
    entity: 'Order',
    ...order,
    customerEmail: order.customer.email.toLowerCase(),
    ...actorAttribute(),
    [collection.partitionKey]: orderKeys.byEventPartition(order.eventId),
    [collection.sortKey]: created,
    [byOwner.partitionKey]: orderKeys.byCustomerPartition(order.customer.userId),
    [byOwner.sortKey]: created,
    ...(expiring && {
      [due.partitionKey]: orderKeys.expiringShards.of(order.id),
      [due.sortKey]: orderKeys.expiresAtSort(order.expiresAt, order.id),
    }),
  };
}

export function orderFromItem(item: Item): Order {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    customerEmail: _email,
    [ACTOR_ATTRIBUTE]: _actor,
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

/** A status change of an order item, and the fields that go with it. */
export interface OrderTransition {
  from: StoredOrderStatus;
  to: StoredOrderStatus;
  now: string;
  /** Adds to the guard on the status it leaves (a hold's expiry, for instance). */
  condition?: (order: ItemExpression) => void;
  set?: Record<string, unknown>;
  remove?: string[];
}

/** The writes of an order item: every one conditional on the status it leaves. */
export const orderWrites = {
  insert: (order: Order): PutWrite => ({
    Item: toOrderItem(order),
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  /** HELD → PAYING while the hold is still valid; keeps the token for recovery. */
  startPayment: (order: Order, paymentToken: string, now: string): UpdateWrite => ({
    Key: orderKeys.order(order.id),
    ...stampActor(new ItemExpression())
      .set('status', 'PAYING')
      .set('paymentToken', paymentToken)
      .set('updatedAt', now)
      .compare('status', '=', 'HELD')
      .compare('expiresAt', '>', now)
      .toUpdate(),
  }),

  /** PAYING → HELD after a decline. */
  abandonPayment: (order: Order, now: string): UpdateWrite => ({
    Key: orderKeys.order(order.id),
    ...stampActor(new ItemExpression())
      .set('status', 'HELD')
      .set('updatedAt', now)
      .remove('paymentToken')
      .compare('status', '=', 'PAYING')
      .toUpdate(),
  }),

  /**
   * CONFIRMED → REFUNDING, in the due index at `recoverAt` so the sweep finishes a
   * refund that stops half-way; `email` is the one the booking will send.
   */
  startRefund: (
    order: Order,
    refund: { now: string; email: EmailKind; recoverAt: string },
  ): UpdateWrite => ({
    Key: orderKeys.order(order.id),
    ...stampActor(new ItemExpression())
      .set('status', 'REFUNDING')
      .set('refundEmail', refund.email)
      .set('updatedAt', refund.now)
      .set(due.partitionKey, orderKeys.expiringShards.of(order.id))
      .set(due.sortKey, orderKeys.expiresAtSort(refund.recoverAt, order.id))
      .compare('status', '=', 'CONFIRMED')
      .toUpdate(),
  }),

  /** `from` → `to` with the fields that go with it. */
  transition: (order: Order, change: OrderTransition): UpdateWrite => {
    const update = stampActor(new ItemExpression())
      .set('status', change.to)
      .set('updatedAt', change.now)
      .compare('status', '=', change.from);
    for (const [field, value] of Object.entries(change.set ?? {})) update.set(field, value);
    for (const field of change.remove ?? []) update.remove(field);
    change.condition?.(update);
    return { Key: orderKeys.order(order.id), ...update.toUpdate() };
  },
};

/** The writes of `CUSTOMER#<userId>#TICKETS` / `EVENT#<id>`: live (held + confirmed) tickets. */
export const customerTicketsWrites = {
  /** Counts a hold's tickets, only if the customer stays within `perCustomer`. */
  take: (order: Order, tickets: number, perCustomer: number): UpdateWrite => {
    const change = new ItemExpression().add('live', tickets);
    const live = change.path('live');
    change.when(
      `attribute_not_exists(${live}) OR ${live} <= ${change.value(perCustomer - tickets)}`,
    );
    return {
      Key: orderKeys.customerTickets(order.eventId, order.customer.userId),
      ...change.toUpdate(),
    };
  },

  move: (order: Order, delta: number): UpdateWrite => ({
    Key: orderKeys.customerTickets(order.eventId, order.customer.userId),
    ...new ItemExpression().add('live', delta).toUpdate(),
  }),
};
