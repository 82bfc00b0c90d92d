import * as z from 'zod';
import type { Actor } from './actor.js';
import { isoDateTime, pageLimitSchema } from './event-model.js';

export const AUDIT_ENTITY_TYPES = ['event', 'order', 'waitlist', 'user'] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

/** SPEC: records are never updated and kept 400 days. */
export const AUDIT_RETENTION_DAYS = 400;

/** `<field>: [before, after]`; null where the field did not exist on that side. */
export type AuditChanges = Record<string, [unknown, unknown]>;

/** One state change of an event, order, waitlist entry or user, as it was recorded. */
export interface AuditRecord {
  id: string;
  at: string;
  actor: Actor;
  /** `<entityType>.<what happened>`, e.g. `order.confirmed`. */
  action: string;
  entityType: AuditEntityType;
  entityId: string;
  changes: AuditChanges;
}

const idFilter = (description: string) =>
  z.string().min(1).max(100).optional().meta({ description });

export const auditQuerySchema = z
  .strictObject({
    entityType: z.enum(AUDIT_ENTITY_TYPES).optional(),
    entityId: idFilter("The changed entity's id"),
    actorId: idFilter('The user who made the changes'),
    from: isoDateTime.optional().meta({ description: 'Records at or after this' }),
    to: isoDateTime.optional().meta({ description: 'Records at or before this' }),
    limit: pageLimitSchema,
    cursor: z.string().min(1).max(2048).optional(),
  })
  // Either narrows the search to one index partition: never a read of the whole trail.
  .refine((query) => query.entityId !== undefined || query.actorId !== undefined, {
    message: 'give entityId or actorId',
    path: ['entityId'],
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });
export type AuditQuery = z.infer<typeof auditQuerySchema>;
