/**
 * How a record of the table's stream reads as an audit draft: which entity changed, what
 * happened to it (the action), each field before and after, and who did it (the actor
 * the write stamped on the item). Pure: the images say everything but a deleter's name.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Actor } from '../../domain/actor.js';
import type { AuditDraft } from '../../domain/audit.js';
import type { AuditChanges, AuditEntityType } from '../../domain/audit-model.js';
import { table } from '../table.js';
import { ACTOR_ATTRIBUTE, auditedItemKey } from './audit.js';

type Item = Record<string, unknown>;
type EventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** The parts of a Lambda DynamoDB stream record (or of GetRecords') read here. */
export interface AuditStreamRecord {
  eventID?: string;
  eventName?: string;
  dynamodb?: {
    ApproximateCreationDateTime?: number;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
}

/** The sort key of each audited item type, which tells them apart on the stream. */
const typeBySortKey = new Map(
  (Object.entries(auditedItemKey) as [AuditEntityType, (id: string) => { sk: string }][]).map(
    ([type, key]) => [key('id').sk, type],
  ),
);

/**
 * The stream records the audit consumer takes, as a Lambda filter pattern: any write of
 * an audited item. Every other write (holds' INVENTORY counters, seats, the records
 * themselves) invokes nothing.
 */
export const AUDIT_STREAM_FILTERS: readonly Record<string, unknown>[] = [
  { dynamodb: { Keys: { sk: { S: [...typeBySortKey.keys()] } } } },
];

/** Keys, index keys and bookkeeping: never a change of their own. */
const BOOKKEEPING = new Set([
  table.partitionKey,
  table.sortKey,
  ...Object.values(table.globalSecondaryIndexes).flatMap((gsi) => [gsi.partitionKey, gsi.sortKey]),
  table.timeToLiveAttribute,
  ACTOR_ATTRIBUTE,
  'entity',
  'version',
  'updatedAt',
]);

interface AuditedType {
  /** Derived copies, and the card token a payment keeps until it is done. */
  hidden?: readonly string[];
  /** Maps recorded per key (`ticketTypes.<id>`), so a record says which one changed. */
  perKey?: readonly string[];
  action: (event: EventName, before: Item | undefined, after: Item | undefined) => string;
}

const changed = (field: string, before?: Item, after?: Item) =>
  canonical(before?.[field]) !== canonical(after?.[field]);

const ORDER_ACTIONS: Readonly<Record<string, string>> = {
  PAYING: 'payment_started',
  CONFIRMED: 'confirmed',
  EXPIRED: 'expired',
  CANCELLED: 'cancelled',
  REFUNDING: 'refund_started',
  REFUNDED: 'refunded',
};

const TYPES: Readonly<Record<AuditEntityType, AuditedType>> = {
  event: {
    hidden: ['nameLower'],
    perKey: ['ticketTypes'],
    action: (event, before, after) => {
      if (event !== 'MODIFY') return event === 'INSERT' ? 'created' : 'deleted';
      if (changed('status', before, after) && after?.status === 'PUBLISHED') return 'published';
      if (changed('status', before, after) && after?.status === 'CANCELLED') return 'cancelled';
      return 'updated';
    },
  },
  order: {
    hidden: ['customerEmail', 'paymentToken'],
    action: (event, before, after) => {
      if (event !== 'MODIFY') return event === 'INSERT' ? 'held' : 'deleted';
      if (!changed('status', before, after)) return 'updated';
      if (before?.status === 'PAYING' && after?.status === 'HELD') return 'payment_declined';
      return ORDER_ACTIONS[after?.status as string] ?? 'updated';
    },
  },
  waitlist: {
    action: (event, before, after) => {
      if (event === 'INSERT') return 'joined';
      if (event === 'REMOVE') return before?.status === 'OFFERED' ? 'removed' : 'left';
      return after?.status === 'OFFERED' && changed('status', before, after)
        ? 'offered'
        : 'updated';
    },
  },
  user: {
    action: (event, before, after) => {
      if (event !== 'MODIFY') return event === 'INSERT' ? 'registered' : 'deleted';
      return changed('roles', before, after) ? 'roles_changed' : 'updated';
    },
  },
};

/**
 * The draft of the change a stream record carries, or null: not an audited item, or a
 * write that changed none of its fields (taking an event out of the nearby index, say).
 */
export function auditDraftOf(record: AuditStreamRecord): AuditDraft | null {
  const event = record.eventName as EventName | undefined;
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  const current = after ?? before;
  const entityType = typeBySortKey.get(current?.sk as string);
  if (!event || !current || !entityType || !record.eventID) return null;
  const type = TYPES[entityType];
  const changes = changesOf(type, before, after);
  if (event === 'MODIFY' && Object.keys(changes).length === 0) return null;
  // Every write of the code moves `updatedAt` with its actor stamp, so an update that
  // left it alone was made by hand (console, CLI), and the stamp is an earlier writer's.
  const byHand = event === 'MODIFY' && before?.updatedAt === after?.updatedAt;
  const approximate = record.dynamodb?.ApproximateCreationDateTime;
  return {
    id: record.eventID,
    at:
      (!byHand && (after?.updatedAt as string | undefined)) ||
      new Date(approximate === undefined ? Date.now() : approximate * 1000).toISOString(),
    actor: event === 'REMOVE' ? null : actorOf(entityType, event, current, byHand),
    action: `${entityType}.${type.action(event, before, after)}`,
    entityType,
    entityId: current.id as string,
    changes,
  };
}

/** The actor the write stamped; an unstamped insert is a sign-up, by its own user. */
function actorOf(
  entityType: AuditEntityType,
  event: EventName,
  item: Item,
  byHand: boolean,
): Actor {
  const actor = item[ACTOR_ATTRIBUTE] as Actor | undefined;
  if (actor && !byHand) return actor;
  if (entityType === 'user' && event === 'INSERT') return { userId: item.id as string };
  return { system: 'unattributed' };
}

function changesOf(type: AuditedType, before: Item | undefined, after: Item | undefined) {
  const hidden = new Set([...BOOKKEEPING, ...(type.hidden ?? [])]);
  const flat = (item: Item | undefined): Item => {
    const fields: Item = {};
    for (const [field, value] of Object.entries(item ?? {})) {
      if (hidden.has(field)) continue;
      if (type.perKey?.includes(field) && isMap(value)) {
        for (const [key, inner] of Object.entries(value)) fields[`${field}.${key}`] = inner;
      } else {
        fields[field] = value;
      }
    }
    return fields;
  };
  const old = flat(before);
  const next = flat(after);
  const changes: AuditChanges = {};
  for (const field of new Set([...Object.keys(old), ...Object.keys(next)])) {
    if (canonical(old[field]) === canonical(next[field])) continue;
    changes[field] = [plain(old[field]) ?? null, plain(next[field]) ?? null];
  }
  return changes;
}

const isMap = (value: unknown): value is Item =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Set);

/** JSON of a value as DynamoDB gave it: sets as sorted lists, numbers as numbers. */
function plain(value: unknown): unknown {
  if (value instanceof Set) return [...value].sort();
  if (Array.isArray(value)) return value.map(plain);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Equal values compare equal whatever order DynamoDB gave a map's keys in. */
function canonical(value: unknown): string | undefined {
  const sorted = (inner: unknown): unknown =>
    isMap(inner)
      ? Object.fromEntries(
          Object.keys(inner)
            .sort()
            .map((key) => [key, sorted(inner[key])]),
        )
      : Array.isArray(inner)
        ? inner.map(sorted)
        : inner;
  return value === undefined ? undefined : JSON.stringify(sorted(plain(value)));
}

const imageOf = (image: Record<string, unknown> | undefined): Item | undefined =>
  image && unmarshall(image as Record<string, AttributeValue>);
