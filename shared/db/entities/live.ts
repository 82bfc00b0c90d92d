/**
 * The live-availability items, as stored (a connection, its subscriptions, an event's
 * push window), and how a record of the table's stream reads as a change followers must
 * hear of. The one place that knows their attributes; the adapters compose these.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LiveChange, PushWindow } from '../../domain/live-availability.js';
import { LIVE_LIMITS } from '../../domain/live-availability.js';
import type { SeatStatus } from '../../domain/seating-model.js';
import { ItemExpression } from '../expression.js';
import { liveKeys, table } from '../table.js';
import { takenSeatFromItem } from './seat.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;

/** The connection item's set of followed event ids. */
const FOLLOWS = 'eventIds';

/** A push window item outlives its last push by a day, then goes by TTL. */
const WINDOW_TTL_SECONDS = 24 * 60 * 60;

export const connectionWrites = {
  insert: (connectionId: string, expiresAt: number): PutWrite => ({
    Item: {
      ...liveKeys.connection(connectionId),
      entity: 'LiveConnection',
      connectionId,
      [table.timeToLiveAttribute]: expiresAt,
    },
  }),

  /** Notes a followed event, only while the connection item exists. */
  follow: (connectionId: string, eventId: string): UpdateWrite => ({
    Key: liveKeys.connection(connectionId),
    ...new ItemExpression().addToSet(FOLLOWS, [eventId]).whenPresent().toUpdate(),
  }),

  /** Only while it exists: an update would otherwise create an item no TTL removes. */
  unfollow: (connectionId: string, eventId: string): UpdateWrite => ({
    Key: liveKeys.connection(connectionId),
    ...new ItemExpression().deleteFromSet(FOLLOWS, [eventId]).whenPresent().toUpdate(),
  }),
};

/** The events a connection item says it follows. */
export const followedEventIds = (connection: Item): string[] => [
  ...((connection[FOLLOWS] as Set<string> | undefined) ?? []),
];

export const subscriptionWrites = {
  insert: (eventId: string, connectionId: string, expiresAt: number): PutWrite => ({
    Item: {
      ...liveKeys.subscription(eventId, connectionId),
      entity: 'LiveSubscription',
      eventId,
      connectionId,
      [table.timeToLiveAttribute]: expiresAt,
    },
  }),
};

export const pushWindowWrites = {
  /**
   * Starts a push: only while none is under way (or its lease has run out) and the last
   * one ended at least `pushIntervalMs` ago (see `PushWindow`).
   */
  claim: (
    eventId: string,
    { token, now, leaseUntil }: { token: string; now: number; leaseUntil: number },
  ): UpdateWrite => {
    const change = new ItemExpression()
      .set('startedAt', now)
      .set('leaseUntil', leaseUntil)
      .set('token', token)
      .set(table.timeToLiveAttribute, Math.floor(now / 1000) + WINDOW_TTL_SECONDS);
    const lease = change.path('leaseUntil');
    const ended = change.path('endedAt');
    change
      .when(`(attribute_not_exists(${lease}) OR ${lease} < ${change.value(now)})`)
      .when(
        `(attribute_not_exists(${ended}) OR ${ended} <= ${change.value(now - LIVE_LIMITS.pushIntervalMs)})`,
      );
    return { Key: liveKeys.broadcast(eventId), ...change.toUpdate() };
  },

  /** Ends the push holding `token`: its lease goes, the next window counts from here. */
  end: (eventId: string, token: string, endedAt: number): UpdateWrite => ({
    Key: liveKeys.broadcast(eventId),
    ...new ItemExpression()
      .set('endedAt', endedAt)
      .remove('leaseUntil')
      .compare('token', '=', token)
      .toUpdate(),
  }),
};

export const pushWindowOf = (item: Item): PushWindow => ({
  startedAt: item.startedAt as number,
  ...(item.endedAt !== undefined && { endedAt: item.endedAt as number }),
  ...(item.leaseUntil !== undefined && { leaseUntil: item.leaseUntil as number }),
});

/** The parts of a Lambda DynamoDB stream record (or of GetRecords') that are read here. */
export interface StreamRecord {
  eventName?: string;
  dynamodb?: {
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
}

/**
 * The stream records that may concern followers, as Lambda filter patterns: a change of
 * an INVENTORY item, and any write of a seat item. The event source mapping passes only
 * these to the broadcaster, so the table's other writes (this feature's own included)
 * cost no invocation; `liveChangeOf` decides on the rest.
 */
export const LIVE_STREAM_FILTERS: readonly Record<string, unknown>[] = [
  { eventName: ['MODIFY'], dynamodb: { Keys: { sk: { S: ['INVENTORY'] } } } },
  { dynamodb: { NewImage: { entity: { S: ['Seat'] } } } },
  { dynamodb: { OldImage: { entity: { S: ['Seat'] } } } },
];

const imageOf = (image: Record<string, unknown> | undefined): Item | undefined =>
  image && unmarshall(image as Record<string, AttributeValue>);

type StoredTicketTypes = Record<string, { available?: number }>;

/** A seat as clients see it: no item is an available seat. */
const seatStatusOf = (item: Item | undefined): SeatStatus =>
  item ? takenSeatFromItem(item).status : 'AVAILABLE';

/**
 * What a stream record changed that followers see, or null: an INVENTORY update that
 * moved some type's `available` (a payment, which only moves held to sold, does not),
 * or a seat whose status as clients see it changed (a seat kept for the waitlist still
 * shows as held).
 */
export function liveChangeOf(record: StreamRecord): LiveChange | null {
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  const current = after ?? before;
  if (!current) return null;
  if (current.sk === 'INVENTORY' && before && after) {
    const old = (before.ticketTypes ?? {}) as StoredTicketTypes;
    const moved = Object.entries((after.ticketTypes ?? {}) as StoredTicketTypes).some(
      ([id, ticketType]) => old[id]?.available !== ticketType.available,
    );
    return moved ? { kind: 'availability', eventId: current.eventId as string } : null;
  }
  if (current.entity === 'Seat') {
    const status = seatStatusOf(after);
    if (status === seatStatusOf(before)) return null;
    return {
      kind: 'seat',
      eventId: current.eventId as string,
      seat: { id: current.seatId as string, status },
    };
  }
  return null;
}
