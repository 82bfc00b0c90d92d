/**
 * Waitlist entries, the claim that keeps one live entry per customer and ticket type,
 * the hand-over marker, and the INVENTORY counters the line and its pool move: the one
 * place that knows their attributes and the writes each allows.
 */
import type { Order } from '../../domain/order-model.js';
import type { WaitlistEntry } from '../../domain/waitlist-model.js';
import type { PendingHandover } from '../../domain/waitlist-ports.js';
import { ItemExpression } from '../expression.js';
import { eventKeys, table, waitlistKeys } from '../table.js';
import type { DeleteWrite } from '../transactions.js';
import { actorAttribute, stampActor } from './audit.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;

const { collection, byOwner, due } = table.globalSecondaryIndexes;

/**
 * INVENTORY attributes of the waitlist, top-level so ADD creates them on items written
 * before the waitlist existed. `waiting` counts the event's WAITING entries of every
 * type: the one condition a release checks when nobody waits, which is nearly always.
 */
export const waitlistCounters = {
  anyWaiting: 'waiting',
  waiting: (ticketTypeId: string) => `waiting#${ticketTypeId}`,
  reserved: (ticketTypeId: string) => `reserved#${ticketTypeId}`,
  joined: (ticketTypeId: string) => `joined#${ticketTypeId}`,
} as const;

/** A counter as stored: absent until the first entry of its type joined. */
export const counterOf = (inventory: Item, attribute: string): number =>
  (inventory[attribute] as number | undefined) ?? 0;

export function toEntryItem(entry: WaitlistEntry): Item {
  return {
    ...waitlistKeys.entry(entry.id),
    entity: 'WaitlistEntry',
    ...entry,
    ...actorAttribute(),
    ...(entry.status === 'WAITING' && {
      [collection.partitionKey]: waitlistKeys.linePartition(entry.eventId, entry.ticketTypeId),
      [collection.sortKey]: waitlistKeys.joinedAtSort(entry.createdAt, entry.id),
    }),
    [byOwner.partitionKey]: waitlistKeys.byCustomerPartition(entry.customer.userId),
    [byOwner.sortKey]: waitlistKeys.createdAtSort(entry.createdAt, entry.id),
  };
}

export function entryFromItem(item: Item): WaitlistEntry {
  return {
    id: item.id as string,
    eventId: item.eventId as string,
    ticketTypeId: item.ticketTypeId as string,
    quantity: item.quantity as number,
    status: item.status as WaitlistEntry['status'],
    customer: item.customer as WaitlistEntry['customer'],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    ...(item.orderId !== undefined && { orderId: item.orderId as string }),
  };
}

const claimKey = (entry: WaitlistEntry) =>
  waitlistKeys.claim(entry.eventId, entry.ticketTypeId, entry.customer.userId);

/** The counters of the entry's type and of the event, moved by one entry. */
function countEntry(change: ItemExpression, ticketTypeId: string, delta: 1 | -1): ItemExpression {
  return change
    .add(waitlistCounters.anyWaiting, delta)
    .add(waitlistCounters.waiting(ticketTypeId), delta);
}

export const waitlistWrites = {
  insert: (entry: WaitlistEntry): PutWrite => ({
    Item: toEntryItem(entry),
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  /** The customer's one live entry for the type: refused while another holds it. */
  claim: (entry: WaitlistEntry): PutWrite => ({
    Item: { ...claimKey(entry), entity: 'WaitlistClaim', entryId: entry.id },
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  unclaim: (entry: WaitlistEntry): DeleteWrite => ({
    Key: claimKey(entry),
    ...new ItemExpression().compare('entryId', '=', entry.id).toCondition(),
  }),

  /**
   * INVENTORY on a join: counted in line, only while the event is on sale at `now` and
   * the type has fewer than the entry's quantity on sale.
   */
  join: (entry: WaitlistEntry, now: string): UpdateWrite => ({
    Key: eventKeys.inventory(entry.eventId),
    ...countEntry(new ItemExpression(), entry.ticketTypeId, 1)
      .add(waitlistCounters.joined(entry.ticketTypeId), 1)
      .compare('status', '=', 'PUBLISHED')
      .compare('startsAt', '>', now)
      .compare(['ticketTypes', entry.ticketTypeId, 'available'], '<', entry.quantity)
      .toUpdate(),
  }),

  /** A WAITING entry out of line: gone, and no longer counted. */
  leave: (entry: WaitlistEntry): { entry: DeleteWrite; inventory: UpdateWrite } => ({
    entry: {
      Key: waitlistKeys.entry(entry.id),
      ...new ItemExpression().compare('status', '=', 'WAITING').toCondition(),
    },
    inventory: {
      Key: eventKeys.inventory(entry.eventId),
      ...countEntry(new ItemExpression(), entry.ticketTypeId, -1).toUpdate(),
    },
  }),

  /** Forgets an OFFERED entry; its order lives on. */
  forget: (entry: WaitlistEntry): DeleteWrite => ({
    Key: waitlistKeys.entry(entry.id),
    ...new ItemExpression().compare('status', '=', 'OFFERED').toCondition(),
  }),

  /** WAITING → OFFERED, out of the line's index. */
  offered: (entry: WaitlistEntry, orderId: string, now: string): UpdateWrite => ({
    Key: waitlistKeys.entry(entry.id),
    ...stampActor(new ItemExpression())
      .set('status', 'OFFERED')
      .set('orderId', orderId)
      .set('updatedAt', now)
      .remove(collection.partitionKey)
      .remove(collection.sortKey)
      .compare('status', '=', 'WAITING')
      .toUpdate(),
  }),

  /**
   * INVENTORY on an offer: `fromPool` tickets from the pool and the rest from public
   * stock become held, the entry leaves the count, the order is counted; only while the
   * event is on sale and both have enough.
   */
  offerStock: (order: Order, fromPool: number, now: string): UpdateWrite => {
    const [item] = order.items;
    if (!item) throw new Error(`offer ${order.id} has no item`);
    const stock = (counter: string) => ['ticketTypes', item.ticketTypeId, counter];
    const fromSale = item.quantity - fromPool;
    const change = countEntry(new ItemExpression(), item.ticketTypeId, -1)
      .add('orderCount', 1)
      .add(stock('held'), item.quantity)
      .add(waitlistCounters.reserved(item.ticketTypeId), -fromPool)
      .add(stock('available'), -fromSale)
      .compare('status', '=', 'PUBLISHED')
      .compare('startsAt', '>', now);
    if (fromPool > 0) change.compare(waitlistCounters.reserved(item.ticketTypeId), '>=', fromPool);
    if (fromSale > 0) change.compare(stock('available'), '>=', fromSale);
    return { Key: eventKeys.inventory(order.eventId), ...change.toUpdate() };
  },

  /**
   * The pool back on public sale, only while no entry joined since `joined` was read
   * (a newcomer might fit what nobody in line did).
   */
  releasePool: (
    eventId: string,
    ticketTypeId: string,
    pool: { count: number; joined: number },
  ): UpdateWrite => {
    const change = new ItemExpression()
      .add(waitlistCounters.reserved(ticketTypeId), -pool.count)
      .add(['ticketTypes', ticketTypeId, 'available'], pool.count)
      .compare(waitlistCounters.reserved(ticketTypeId), '>=', pool.count);
    const joined = change.path(waitlistCounters.joined(ticketTypeId));
    change.when(
      pool.joined === 0
        ? `(attribute_not_exists(${joined}) OR ${joined} = ${change.value(0)})`
        : `${joined} = ${change.value(pool.joined)}`,
    );
    return { Key: eventKeys.inventory(eventId), ...change.toUpdate() };
  },

  /** Marks the type's pool as due for a hand-over, renewing its token and due time. */
  markHandover: (eventId: string, ticketTypeId: string, token: string, now: string): PutWrite => ({
    Item: {
      ...waitlistKeys.handover(eventId, ticketTypeId),
      entity: 'WaitlistHandover',
      eventId,
      ticketTypeId,
      token,
      [due.partitionKey]: waitlistKeys.handoverPartition,
      [due.sortKey]: waitlistKeys.handoverSort(now, `${eventId}:${ticketTypeId}`),
    },
  }),

  endHandover: (pending: PendingHandover): DeleteWrite => ({
    Key: waitlistKeys.handover(pending.eventId, pending.ticketTypeId),
    ...new ItemExpression().compare('token', '=', pending.token).toCondition(),
  }),
};

export const handoverFromItem = (item: Item): PendingHandover => ({
  eventId: item.eventId as string,
  ticketTypeId: item.ticketTypeId as string,
  token: item.token as string,
});
