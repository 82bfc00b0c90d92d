/**
 * The audit trail's items: the actor every audited write stamps on the item it changes,
 * the marker a deletion leaves, and the records themselves. The one place that knows
 * their attributes and the writes each allows.
 */
import { type Actor, currentActor } from '../../domain/actor.js';
import {
  AUDIT_RETENTION_DAYS,
  type AuditEntityType,
  type AuditRecord,
} from '../../domain/audit-model.js';
import { ItemExpression } from '../expression.js';
import {
  auditKeys,
  eventKeys,
  orderKeys,
  type PrimaryKey,
  table,
  userKeys,
  waitlistKeys,
} from '../table.js';
import type { PutWrite } from './writes.js';

type Item = Record<string, unknown>;

/** On every audited item: who made its last change (see `actingAs`). */
export const ACTOR_ATTRIBUTE = 'actor';

const DAY_SECONDS = 24 * 60 * 60;
/** Longer than the stream keeps a record (24 hours), so a late consumer still finds it. */
const DELETION_TTL_DAYS = 2;

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The actor attribute of a whole-item Put: absent for an anonymous call. */
export function actorAttribute(): Item {
  const actor = currentActor();
  return actor ? { [ACTOR_ATTRIBUTE]: actor } : {};
}

/**
 * An update's actor: set, or removed for an anonymous call, so the item never keeps the
 * actor of an earlier change.
 */
export function stampActor(change: ItemExpression): ItemExpression {
  const actor = currentActor();
  return actor ? change.set(ACTOR_ATTRIBUTE, actor) : change.remove(ACTOR_ATTRIBUTE);
}

/** The key of each audited entity's item, by the id its records name. */
export const auditedItemKey: Readonly<Record<AuditEntityType, (id: string) => PrimaryKey>> = {
  event: eventKeys.meta,
  order: orderKeys.order,
  waitlist: waitlistKeys.entry,
  user: userKeys.profile,
};

export const deletionWrites = {
  /**
   * Names the deleter of `key`: a Put in the deleting transaction, so never without it.
   * Stamped with the time of the request, which none of the deletions otherwise record.
   */
  mark: (key: PrimaryKey, at = new Date().toISOString()): PutWrite => ({
    Item: {
      ...auditKeys.deletion(key),
      entity: 'Deletion',
      at,
      ...actorAttribute(),
      [table.timeToLiveAttribute]: epochSeconds(at) + DELETION_TTL_DAYS * DAY_SECONDS,
    },
  }),
};

export const deletionFromItem = (item: Item): { actor: Actor | undefined; at: string } => ({
  actor: item[ACTOR_ATTRIBUTE] as Actor | undefined,
  at: item.at as string,
});

const { collection, byOwner } = table.globalSecondaryIndexes;

/** A record in its entity's history and, when a user made it, in that user's. */
export function toAuditItem(record: AuditRecord): Item {
  const sort = auditKeys.atSort(record.at, record.id);
  return {
    ...auditKeys.record(record.id),
    entity: 'AuditRecord',
    ...record,
    [collection.partitionKey]: auditKeys.byEntityPartition(record.entityId),
    [collection.sortKey]: sort,
    ...('userId' in record.actor && {
      [byOwner.partitionKey]: auditKeys.byActorPartition(record.actor.userId),
      [byOwner.sortKey]: sort,
    }),
    [table.timeToLiveAttribute]: epochSeconds(record.at) + AUDIT_RETENTION_DAYS * DAY_SECONDS,
  };
}

export const auditRecordFromItem = (item: Item): AuditRecord => ({
  id: item.id as string,
  at: item.at as string,
  actor: item.actor as Actor,
  action: item.action as string,
  entityType: item.entityType as AuditEntityType,
  entityId: item.entityId as string,
  changes: item.changes as AuditRecord['changes'],
});

export const auditWrites = {
  /** Records are never updated: a second put of one id (a redelivery) is refused. */
  insert: (record: AuditRecord): PutWrite => ({
    Item: toAuditItem(record),
    ...new ItemExpression().whenAbsent().toCondition(),
  }),
};
