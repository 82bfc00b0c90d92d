import { createHash } from 'node:crypto';
import ngeohash from 'ngeohash';
import type { EmailKind, SentEmailKind } from '../domain/email-model.js';
import type { GeoPoint } from '../domain/geo.js';

/**
 * The one place that owns the single-table key design. The CDK table, the local
 * table and every key the adapters build come from here, so they cannot drift.
 *
 * Items:
 *   EVENT#<id> / META         descriptive event fields; carries both listing GSIs and,
 *                             while published and not started, the nearby index by its
 *                             venue and the due index by its start (when it leaves)
 *   EVENT#<id> / INVENTORY    status, limits and ticket types with live counters —
 *                             kept apart from META so the hot hold path writes one
 *                             small item instead of the whole event description;
 *                             also counts the event's orders by resolution and, from
 *                             its cancellation until no ticket of it is held or sold,
 *                             is in the due index as a cancellation to finish
 *   USER#<id> / PROFILE       name, email, roles, emailVerified, location; in the users collection
 *   USER#<id> / EMAIL_CODE    the live email-verification code: salted hash, expiry, tries
 *                             left; TTL a day after it expires
 *   EMAIL#<email> / CLAIM     one per address: makes emails unique across users
 *   CREDENTIAL#<email> / LOCAL  the local identity provider's password hash (never on AWS)
 *   TOKEN#<jti> / REVOKED     a logged-out access token, until it would expire (TTL)
 *   ORDER#<id> / ORDER        an order; in its event's collection, its customer's list
 *                             and, while HELD, being paid or refunded, in the sharded due
 *                             index by expiry
 *   CUSTOMER#<userId>#TICKETS / EVENT#<id>  live (held + confirmed) tickets of one customer
 *                             for one event: the customer's key, so a hold writes the event's
 *                             partition once (INVENTORY)
 *   EVENT#<id>#SEATS#<section> / <row>#<number, 3 digits>  a taken seat (HELD or SOLD) and
 *                             the order that has it; absent while the seat is available,
 *                             so a hold's conditional Put is what takes it. One partition
 *                             per section: a section's seat map is one Query
 *   OUTBOX#<orderId>#<kind> / MESSAGE  an email committed with its order change and not
 *                             yet handed to the queue; in the sharded due index by creation
 *   SENT#<ref>#<kind> / EMAIL  marks an email as sent: at most one per order and kind, or
 *                             per verification code (`ref` is the code's id)
 *   EMAIL_CAP#<address hash> / <hour>  emails sent to one address in one clock hour; the
 *                             partition is a hash, so no address is stored in a key; TTL
 *   WAITLIST_ENTRY#<id> / ENTRY  a waitlist entry; while WAITING in its ticket type's line
 *                             (collection index, first come first), and in its customer's
 *                             list (byOwner index)
 *   EVENT#<id> / WAITING#<ticketTypeId>#<userId>  claims a customer's one live entry
 *   EVENT#<id> / HANDOVER#<ticketTypeId>  freed tickets wait in the type's pool for the
 *                             waitlist hand-over; in the due index, for the sweep to finish it
 *   ANALYTICS#<day> / EVENT#<eventId>  counters of the event's orders created that UTC day,
 *                             moved by each order's resolution (never by the hold)
 *   CONN#<connectionId> / CONNECTION  a live WebSocket connection and the events it
 *                             follows (a string set), so $disconnect or a 410 finds every
 *                             subscription to delete; TTL at the connection's longest life
 *   LIVE#<eventId> / CONN#<connectionId>  one follower of the event: one Query of the
 *                             partition lists whom to push to; TTL as the connection's
 *   LIVE#<eventId> / BROADCAST  when the event's last push started and ended, and the lease
 *                             of the push under way: at most one push per window per event
 *   RATE#<policy>#<client> / WINDOW#<epoch s>  one client's count in one fixed window of a
 *                             rate limit (client: user id, source IP, or a hash of a login
 *                             email); TTL a minute after the window. A partition per client,
 *                             so one client's flood is never another's hot key
 *   AUDIT#<recordId> / RECORD  one audit record (never updated, TTL 400 days): in the
 *                             changed entity's history (collection index) and, for a
 *                             user's change, in that user's (byOwner index), newest first
 *   DELETED#<pk>#<sk> / DELETION  who deleted the item `<pk>/<sk>` and when: written with the
 *                             deletion, read by the audit consumer (TTL two days)
 *   READINESS#PROBE / PROBE   never written: GET /health/ready reads it (strongly
 *                             consistent) to prove the table answers; its function may
 *                             read this one key and nothing else
 *
 * The table's stream (new and old images) carries every change of INVENTORY and of the
 * seat items to the live broadcaster, so the hold path writes nothing for live pushes, and
 * every change of META, ORDER, ENTRY and PROFILE items to the audit consumer.
 */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after. */
  timeToLiveAttribute: 'ttl',
  /** Both images: the broadcaster tells what changed from a record alone, without a read. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  globalSecondaryIndexes: {
    /** A collection in time order: events by status, all users, an event's orders, a line. */
    collection: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** What someone owns, in time order: events by organizer, orders by customer. */
    byOwner: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /**
     * Work that falls due, by due time, written off the hot path: events to take out of
     * the nearby index once they start, cancelled events whose orders are not all
     * released yet, waitlist pools whose hand-over may not have run.
     */
    due: { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /**
     * Upcoming published events by venue geohash: `GEO#<cell of GEOHASH_PRECISION.partition>`
     * / `<geohash of GEOHASH_PRECISION.point>#<eventId>`. A finer cell is a `begins_with`
     * range inside its partition, so a radius search queries a few cells, never scans.
     * Only what a radius search can return is in it (drafts, cancelled and started events
     * would eat its per-request budget), so an event's META carries these keys only while
     * it is PUBLISHED and starts after the time of the write; the sweep takes them away
     * once it starts (`eventKeys.nearbyUntilPartition`).
     */
    nearby: { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    /**
     * Work that falls due on the hot path, by due time, each kind over `DUE_SHARDS`
     * partitions: hold expiries (and refunds to finish) and undelivered outbox messages.
     * Only what its readers need besides the keys is in it: the sweep reads the orders
     * themselves (strongly consistent), the overdue count filters by `eventId`, the relay
     * needs `orderId` and `kind`. None of these ever changes on an item, so an update that
     * leaves the index keys alone (HELD → PAYING, a decline) writes nothing to the index,
     * and an entry is ~180 bytes (1 WCU) where a whole order is ~0.95–1.3 KB (1–2 WCU).
     */
    dueSharded: {
      indexName: 'gsi5',
      partitionKey: 'gsi5pk',
      sortKey: 'gsi5sk',
      include: ['eventId', 'orderId', 'kind'],
    },
  },
} as const;

/**
 * Partitions per kind of hot due work. An index partition takes at most 1,000 WCU/s
 * (AWS), and a throttled index write throttles the table write that made it: the hold
 * itself. A hold puts one 1-WCU entry (under 1 KB) and its resolution deletes it (1 WCU),
 * so one partition caps the whole product at ~500 holds/s, and S partitions at
 * S × 500: 16 carry ~8,000 holds/s (each outbox message, one per order change that
 * emails, likewise puts and deletes one entry in its own 16). The sweep pays for it in
 * reads: one Query per shard a run, 16 instead of 1, a few RCU each.
 */
export const DUE_SHARDS = 16;

/** A stable shard of `id` in [0, DUE_SHARDS): the first 32 bits of its SHA-256. */
export function dueShardOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % DUE_SHARDS;
}

const SHARD_DIGITS = String(DUE_SHARDS - 1).length;

/** `<base>#<shard>` partitions of the sharded due index: the one of an id, and all. */
function dueShards(base: string) {
  const shard = (n: number) => `${base}#${String(n).padStart(SHARD_DIGITS, '0')}`;
  return {
    of: (id: string): string => shard(dueShardOf(id)),
    all: Array.from({ length: DUE_SHARDS }, (_, n) => shard(n)) as readonly string[],
  };
}

/**
 * Idempotency records live apart, in the schema Powertools expects (`id`, TTL on
 * `expiration`), so the hot path's table keeps its own key design.
 */
export const idempotencyTable = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;

/** The key GET /health/ready reads and never finds; the stack grants GetItem on it alone. */
export const readinessProbeKey: PrimaryKey = { pk: 'READINESS#PROBE', sk: 'PROBE' };

export type IndexName = keyof typeof table.globalSecondaryIndexes;

export type PrimaryKey = {
  pk: string;
  sk: string;
};

const EVENT_PREFIX = 'EVENT#';

/** Sort value for time-ordered collections: ISO times sort lexically; the id breaks ties. */
const timeSort = (isoTime: string, id: string): string => `${isoTime}#${id}`;

/** The inverse of a time sort value, or null when it is not one. */
export function parseTimeSort(sort: string): { time: string; id: string } | null {
  const separator = sort.lastIndexOf('#');
  const time = sort.slice(0, separator);
  const id = sort.slice(separator + 1);
  return separator < 1 || id === '' ? null : { time, id };
}

/**
 * Geohash lengths of the nearby index. Partitions are ~1,250 × 625 km cells, so even a
 * 500 km radius touches only a few of them; sort values locate a venue to ~5 m, so any
 * cell of length 2–9 is one key range.
 */
export const GEOHASH_PRECISION = { partition: 2, point: 9 } as const;

export const eventKeys = {
  meta: (eventId: string): PrimaryKey => ({ pk: `${EVENT_PREFIX}${eventId}`, sk: 'META' }),
  inventory: (eventId: string): PrimaryKey => ({
    pk: `${EVENT_PREFIX}${eventId}`,
    sk: 'INVENTORY',
  }),
  partition: (eventId: string): string => `${EVENT_PREFIX}${eventId}`,
  byStatusPartition: (status: string): string => `STATUS#${status}`,
  byOrganizerPartition: (organizerId: string): string => `ORGANIZER#${organizerId}`,
  startsAtSort: timeSort,
  /** Nearby-index partition of a geohash cell of at least the partition length. */
  nearbyPartition: (cell: string): string => `GEO#${cell.slice(0, GEOHASH_PRECISION.partition)}`,
  nearbyGeohash: (venue: GeoPoint): string =>
    ngeohash.encode(venue.latitude, venue.longitude, GEOHASH_PRECISION.point),
  nearbySort: (geohash: string, eventId: string): string => `${geohash}#${eventId}`,
  geohashOfNearbySort: (sort: string): string => sort.slice(0, GEOHASH_PRECISION.point),
  /**
   * Due-index partition of the events in the nearby index, by start time: the sweep
   * takes each out of the nearby index (and this partition) once it has started.
   */
  nearbyUntilPartition: 'NEARBY_UNTIL',
  nearbyUntilSort: timeSort,
  /**
   * Due-index partition of cancelled events whose orders are not all released or
   * refunded yet, by the time of the cancellation or, once a run over its orders has
   * left it unfinished, of that run: `<queuedAt>#<eventId>`. On the INVENTORY item
   * (META's due keys are the nearby ones), set by the write that cancels the event and
   * removed once none of its tickets is held or sold; the sweep finishes what the
   * cancelling request could not, longest waiting first.
   */
  cancellingPartition: 'EVENT_CANCELLING',
  cancellingSort: timeSort,
} as const;

export const userKeys = {
  profile: (userId: string): PrimaryKey => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /** Emails compare case-insensitively, as mail systems do in practice. */
  emailClaim: (email: string): PrimaryKey => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'CLAIM' }),
  verificationCode: (userId: string): PrimaryKey => ({ pk: `USER#${userId}`, sk: 'EMAIL_CODE' }),
  localCredential: (email: string): PrimaryKey => ({
    pk: `CREDENTIAL#${email.toLowerCase()}`,
    sk: 'LOCAL',
  }),
  collectionPartition: 'USERS',
  createdAtSort: timeSort,
} as const;

export const orderKeys = {
  order: (orderId: string): PrimaryKey => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  /**
   * On the customer's own partition key, not the event's: a hold writes the event's hot
   * key once (INVENTORY) instead of twice, 2 WCU per hold instead of 4.
   */
  customerTickets: (eventId: string, userId: string): PrimaryKey => ({
    pk: `CUSTOMER#${userId}#TICKETS`,
    sk: `${EVENT_PREFIX}${eventId}`,
  }),
  byEventPartition: (eventId: string): string => `EVENT_ORDERS#${eventId}`,
  byCustomerPartition: (userId: string): string => `CUSTOMER#${userId}`,
  createdAtSort: timeSort,
  /**
   * Sharded due-index partitions of orders whose hold can run out (HELD, or being paid)
   * or whose refund is under way, by order id.
   */
  expiringShards: dueShards('HOLD_EXPIRY'),
  expiresAtSort: timeSort,
} as const;

/** Seats are numbered up to `SEATING_LIMITS.seatsPerRow.max` (200): three digits sort them. */
const SEAT_NUMBER_DIGITS = 3;

export const seatKeys = {
  seat: (eventId: string, section: string, row: string, number: number): PrimaryKey => ({
    pk: seatKeys.sectionPartition(eventId, section),
    sk: `${row}#${String(number).padStart(SEAT_NUMBER_DIGITS, '0')}`,
  }),
  sectionPartition: (eventId: string, section: string): string =>
    `${EVENT_PREFIX}${eventId}#SEATS#${section}`,
} as const;

export const waitlistKeys = {
  entry: (entryId: string): PrimaryKey => ({ pk: `WAITLIST_ENTRY#${entryId}`, sk: 'ENTRY' }),
  claim: (eventId: string, ticketTypeId: string, userId: string): PrimaryKey => ({
    pk: `${EVENT_PREFIX}${eventId}`,
    sk: `WAITING#${ticketTypeId}#${userId}`,
  }),
  /** Collection-index partition of a ticket type's line: one Query gives its head. */
  linePartition: (eventId: string, ticketTypeId: string): string =>
    `WAITLIST#${eventId}#${ticketTypeId}`,
  joinedAtSort: timeSort,
  byCustomerPartition: (userId: string): string => `WAITLISTER#${userId}`,
  createdAtSort: timeSort,
  handover: (eventId: string, ticketTypeId: string): PrimaryKey => ({
    pk: `${EVENT_PREFIX}${eventId}`,
    sk: `HANDOVER#${ticketTypeId}`,
  }),
  /** Due-index partition of pools whose hand-over may not have run, by their last release. */
  handoverPartition: 'WAITLIST_HANDOVER',
  handoverSort: timeSort,
} as const;

export const emailKeys = {
  outbox: (orderId: string, kind: EmailKind): PrimaryKey => ({
    pk: `OUTBOX#${orderId}#${kind}`,
    sk: 'MESSAGE',
  }),
  sent: (ref: string, kind: SentEmailKind): PrimaryKey => ({
    pk: `SENT#${ref}#${kind}`,
    sk: 'EMAIL',
  }),
  /** Sharded due-index partitions of undelivered messages, by order id. */
  outboxShards: dueShards('OUTBOX'),
  createdAtSort: timeSort,
  /**
   * The per-recipient counter of one window (`windowStart`, ISO). Addresses compare
   * case-insensitively; the hash spreads recipients over partitions and keeps the address
   * itself out of the key.
   */
  recipientWindow: (address: string, windowStart: string): PrimaryKey => ({
    pk: `EMAIL_CAP#${createHash('sha256').update(address.toLowerCase()).digest('hex').slice(0, 32)}`,
    sk: windowStart,
  }),
} as const;

/**
 * One item per event and UTC day (`yyyy-mm-dd`): an analytics window reads one
 * partition per day. Per event rather than one total per day, so transactions of
 * different events never contend on it; a hot event's transitions contend on its
 * INVENTORY item already.
 */
export const analyticsKeys = {
  eventDay: (day: string, eventId: string): PrimaryKey => ({
    pk: `ANALYTICS#${day}`,
    sk: `${EVENT_PREFIX}${eventId}`,
  }),
  dayPartition: (day: string): string => `ANALYTICS#${day}`,
} as const;

const LIVE_PREFIX = 'LIVE#';
const CONNECTION_PREFIX = 'CONN#';

export const liveKeys = {
  connection: (connectionId: string): PrimaryKey => ({
    pk: `${CONNECTION_PREFIX}${connectionId}`,
    sk: 'CONNECTION',
  }),
  subscription: (eventId: string, connectionId: string): PrimaryKey => ({
    pk: liveKeys.followersPartition(eventId),
    sk: `${CONNECTION_PREFIX}${connectionId}`,
  }),
  followersPartition: (eventId: string): string => `${LIVE_PREFIX}${eventId}`,
  /** `begins_with` of the followers' sort keys: the partition also holds BROADCAST. */
  followerSortPrefix: CONNECTION_PREFIX,
  connectionIdOfFollower: (sort: string): string => sort.slice(CONNECTION_PREFIX.length),
  broadcast: (eventId: string): PrimaryKey => ({
    pk: liveKeys.followersPartition(eventId),
    sk: 'BROADCAST',
  }),
} as const;

export const rateLimitKeys = {
  /** Every counter's partition starts so: the only keys the limiter's grant may write. */
  partitionPrefix: 'RATE#',
  window: (policy: string, client: string, windowStart: number): PrimaryKey => ({
    pk: `RATE#${policy}#${client}`,
    sk: `WINDOW#${windowStart}`,
  }),
} as const;

/**
 * Audit records. Index partitions are by entity id alone (ids are unique across entity
 * types), so a history needs no type; a system job's records are in no actor partition.
 */
const AUDIT_PREFIX = 'AUDIT#';
const DELETION_PREFIX = 'DELETED#';

export const auditKeys = {
  record: (recordId: string): PrimaryKey => ({ pk: `${AUDIT_PREFIX}${recordId}`, sk: 'RECORD' }),
  byEntityPartition: (entityId: string): string => `AUDIT_ENTITY#${entityId}`,
  byActorPartition: (userId: string): string => `AUDIT_ACTOR#${userId}`,
  atSort: timeSort,
  /** `dynamodb:LeadingKeys` of what the audit consumer writes and reads. */
  recordPrefix: AUDIT_PREFIX,
  deletionPrefix: DELETION_PREFIX,
  /**
   * The marker naming who deleted `key`, written in the deleting transaction. Its own sort
   * key: the audit consumer's stream filter takes the audited items by theirs.
   */
  deletion: (key: PrimaryKey): PrimaryKey => ({
    pk: `${DELETION_PREFIX}${key.pk}#${key.sk}`,
    sk: 'DELETION',
  }),
} as const;

export const tokenKeys = {
  revoked: (tokenId: string): PrimaryKey => ({ pk: `TOKEN#${tokenId}`, sk: 'REVOKED' }),
} as const;
