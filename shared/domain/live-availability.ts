/**
 * Live availability (SPEC "Also served"): what a follower sends and gets over the
 * WebSocket, which changes a push carries, and when a push may start. No transport and
 * no table here: the broadcaster and the subscription handlers apply these rules.
 */
import * as z from 'zod';
import type { FieldError } from './errors.js';
import type { SeatStatus } from './seating-model.js';

export const LIVE_LIMITS = {
  /**
   * From the end of one push of an event to the start of the next: at most two pushes a
   * second per event, however many changes (SPEC).
   */
  pushIntervalMs: 500,
  /** How often a push waiting for another one to end looks again. */
  leasePollMs: 50,
  /** API Gateway ends a WebSocket connection after two hours; its items live as long. */
  connectionSeconds: 2 * 60 * 60,
  /**
   * Seats per `seats` message: 500 of the longest seat ids make about 30 KB, well under
   * the 128 KB a WebSocket message may carry.
   */
  seatsPerMessage: 500,
  /** PostToConnection calls in flight per push. */
  postsInFlight: 50,
  /**
   * What a push may take, from its claim to its end: a batch stops waiting for its
   * window this long before its invocation ends, and hands the batch back instead.
   */
  pushBudgetMs: 5_000,
} as const;

const eventIdSchema = z.string().min(1).max(100);

/** The messages a client may send; API Gateway routes them by `action`. */
export const subscribeSchema = z.strictObject({
  action: z.literal('subscribe'),
  eventId: eventIdSchema,
});
export const unsubscribeSchema = z.strictObject({
  action: z.literal('unsubscribe'),
  eventId: eventIdSchema,
});
export const liveRequestSchema = z.discriminatedUnion('action', [
  subscribeSchema,
  unsubscribeSchema,
]);

export interface TicketAvailability {
  id: string;
  available: number;
}

export interface SeatChange {
  id: string;
  status: SeatStatus;
}

/** Everything the server sends a follower. */
export type LiveMessage =
  | { type: 'subscribed'; eventId: string; ticketTypes: TicketAvailability[] }
  | { type: 'unsubscribed'; eventId: string }
  | { type: 'availability'; eventId: string; ticketTypes: TicketAvailability[] }
  | { type: 'seats'; eventId: string; seats: SeatChange[] }
  | { type: 'error'; code: string; message: string; errors?: FieldError[] };

/** What a follower is told of an event: its ticket types in their order, with what is left. */
export interface EventAvailability {
  status: string;
  ticketTypes: TicketAvailability[];
}

/**
 * A change the table's stream reported that followers must hear of: an event's
 * availability moved, or a seat changed status as clients see it.
 */
export type LiveChange =
  | { kind: 'availability'; eventId: string }
  | { kind: 'seat'; eventId: string; seat: SeatChange };

/** What one event's push has to carry, from the changes of one stream batch. */
export interface PendingPush<Ref> {
  availability: boolean;
  /** Each changed seat once, with its last status in the batch. */
  seats: Map<string, SeatChange['status']>;
  /** The first change's reference: where the stream resumes if this push fails. */
  firstRef: Ref;
}

/** The batch's changes per event, in order: many changes of one event make one push. */
export function pendingPushes<Ref>(
  changes: readonly { change: LiveChange; ref: Ref }[],
): Map<string, PendingPush<Ref>> {
  const pushes = new Map<string, PendingPush<Ref>>();
  for (const { change, ref } of changes) {
    let push = pushes.get(change.eventId);
    if (!push) {
      push = { availability: false, seats: new Map(), firstRef: ref };
      pushes.set(change.eventId, push);
    }
    if (change.kind === 'availability') push.availability = true;
    else push.seats.set(change.seat.id, change.seat.status);
  }
  return pushes;
}

/** The messages of one push, availability first; seats in messages of bounded size. */
export function pushMessages(
  eventId: string,
  availability: EventAvailability | null,
  seats: ReadonlyMap<string, SeatChange['status']>,
): LiveMessage[] {
  const messages: LiveMessage[] = [];
  if (availability) {
    messages.push({ type: 'availability', eventId, ticketTypes: availability.ticketTypes });
  }
  const changed = [...seats].map(([id, status]) => ({ id, status }));
  for (let start = 0; start < changed.length; start += LIVE_LIMITS.seatsPerMessage) {
    messages.push({
      type: 'seats',
      eventId,
      seats: changed.slice(start, start + LIVE_LIMITS.seatsPerMessage),
    });
  }
  return messages;
}

/**
 * The event's push window as stored (epoch ms): when the last push started, when it
 * ended, and until when the one under way holds the lease (none after it ended). A push
 * may start when none is under way (a lease past its end belongs to a push that died)
 * and the last one ended at least `pushIntervalMs` ago; the repository's claim is
 * conditional on exactly that.
 */
export interface PushWindow {
  startedAt: number;
  endedAt?: number;
  leaseUntil?: number;
}

/**
 * What a push that was refused its window does next.
 *
 * Every push reads the event's availability strongly consistently after its claim. So a
 * push whose claim (`startedAt`) came after this batch was received (`receivedAt`, which
 * is after its records were committed) sends a state that includes them: the batch's
 * availability is covered and it need not push at all. A push claimed earlier may have
 * read before them; then this batch waits for the window to open and pushes itself,
 * unless by then a later push has claimed it, which covers it as above. Either way the
 * last push after any change reads a state at least as new as it: followers always end
 * on the current state, at no more than two pushes a second.
 *
 * Seat changes are never covered: a push only knows the seats of its own batch.
 *
 * The times are whole milliseconds, so only a later millisecond proves the claim came
 * after the batch: in the same one it may have come first. They also come from different
 * machines' clocks; a stream record reaches its consumer tens of milliseconds or more
 * after its commit, far more than clock skew, so a later `startedAt` is after the commit.
 */
export function afterRefusal(
  window: PushWindow,
  push: { seats: number; receivedAt: number },
  now: number,
): { covered: true } | { retryInMs: number } {
  if (push.seats === 0 && window.startedAt > push.receivedAt) return { covered: true };
  if (window.leaseUntil !== undefined && window.leaseUntil >= now) {
    return { retryInMs: Math.min(LIVE_LIMITS.leasePollMs, window.leaseUntil - now + 1) };
  }
  const opensAt = (window.endedAt ?? window.startedAt) + LIVE_LIMITS.pushIntervalMs;
  return { retryInMs: Math.max(1, opensAt - now) };
}
