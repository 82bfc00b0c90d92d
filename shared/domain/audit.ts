import type { Actor } from './actor.js';
import type { AuditEntityType, AuditQuery, AuditRecord } from './audit-model.js';
import { Forbidden, Unauthenticated } from './errors.js';
import type { Page } from './page.js';
import { isAdmin, type Principal } from './principal.js';

export interface AuditRepository {
  /** Writes the record unless one with its id exists (a redelivery); false when it did. */
  insert(record: AuditRecord): Promise<boolean>;
  /** Who deleted the entity and when, from the marker its deletion wrote; null without one. */
  deletedBy(entityType: AuditEntityType, entityId: string): Promise<Deletion | null>;
  /** Newest first. */
  list(query: AuditQuery): Promise<Page<AuditRecord>>;
}

export interface Deletion {
  actor: Actor;
  at: string;
}

/**
 * A change as the table's stream tells it. A deletion leaves no item to carry its actor
 * (`actor` null): the deletion marker written with it names them.
 */
export type AuditDraft = Omit<AuditRecord, 'actor'> & { actor: Actor | null };

/** The audit trail: records each change once, and lists them for admins. */
export class AuditTrail {
  constructor(private readonly records: AuditRepository) {}

  async record(draft: AuditDraft): Promise<'recorded' | 'already-recorded'> {
    const deletion =
      draft.actor === null ? await this.records.deletedBy(draft.entityType, draft.entityId) : null;
    const record: AuditRecord = {
      ...draft,
      // A deletion by hand (console, CLI) writes no marker: recorded, but unattributed.
      actor: draft.actor ?? deletion?.actor ?? { system: 'unattributed' },
      at: deletion?.at ?? draft.at,
    };
    return (await this.records.insert(record)) ? 'recorded' : 'already-recorded';
  }

  list(principal: Principal, query: AuditQuery): Promise<Page<AuditRecord>> {
    if (principal.userId === null) throw new Unauthenticated('Sign in to do this');
    if (!isAdmin(principal)) throw new Forbidden('Only admins may read the audit trail');
    return this.records.list(query);
  }
}
