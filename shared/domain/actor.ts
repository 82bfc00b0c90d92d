import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from './principal.js';

/**
 * Jobs that change state on nobody's request: a hold's scheduled expiry, the minute
 * sweep, the waitlist hand-over of freed tickets, the local admin's bootstrap, and a
 * change made outside the code (console, CLI) that named itself.
 */
export const SYSTEM_ACTORS = ['expiry', 'sweep', 'handover', 'bootstrap', 'operator'] as const;
export type SystemActor = (typeof SYSTEM_ACTORS)[number];

/** Who made a change: a signed-in user, or a job of the system. */
export type Actor = { userId: string } | { system: SystemActor | 'unattributed' };

const current = new AsyncLocalStorage<Actor>();

/**
 * Runs `work` as `actor`: every audited write it makes, however deep, carries the actor
 * on the changed item, where the audit trail's stream consumer reads it. Set once where
 * a call enters (the HTTP wrapper from the principal, each job with its name), so no
 * repository signature carries it and no write path can forget to pass it on.
 */
export const actingAs = <T>(actor: Actor, work: () => T): T => current.run(actor, work);

/** The actor of the call in progress; undefined outside `actingAs` (an anonymous call). */
export const currentActor = (): Actor | undefined => current.getStore();

export const actorOf = (principal: Principal): Actor | undefined =>
  principal.userId === null ? undefined : { userId: principal.userId };
