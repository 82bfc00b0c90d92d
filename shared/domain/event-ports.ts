import type { EventState, EventStatus } from './event-model.js';
import type { GeoCircle } from './geo.js';
import type { Page } from './page.js';
import type { TakenSeat } from './seat-map.js';

export type EventIndexQuery =
  | { index: 'byStatus'; status: EventStatus }
  | { index: 'byOrganizer'; organizerId: string; status?: EventStatus };

export type EventRepositoryQuery = EventIndexQuery & {
  from?: string;
  to?: string;
  nameContains?: string;
  limit: number;
  cursor?: string;
};

/**
 * A radius search with the same filters; `index` says which events, not how to read them.
 * Only events starting after `startsAfter` (now) are found: the nearby index holds
 * upcoming published events only (see `isListedNearby`).
 */
export type EventRepositoryNearQuery = EventRepositoryQuery & {
  near: GeoCircle;
  startsAfter: string;
};

/** An event in the nearby index, due to leave it when it starts. */
export interface NearbyListing {
  eventId: string;
  startsAt: string;
}

/**
 * A cancelled event some of whose orders may still hold tickets: marked by the write that
 * cancels it, until its cancellation is finished (see `EventCancellation.cancelEvent`).
 */
export interface PendingCancellation {
  eventId: string;
  /** When it was cancelled or, if a run left it unfinished since, last requeued. */
  queuedAt: string;
  /** Where the next run over the event's orders resumes; null: from the newest. */
  cursor: string | null;
}

export interface NearbyEvent {
  event: EventState;
  distanceMetres: number;
}

/** Persistence port for events. Every write is conditional; a lost race is reported, never applied. */
export interface EventRepository {
  insert(event: EventState): Promise<void>;
  /**
   * Strongly consistent unless told otherwise, so counters are exact; `consistent: false`
   * costs half the read units and may miss the last second's writes.
   */
  get(eventId: string, options?: { consistent: boolean }): Promise<EventState | null>;
  /** Those of the events that exist, in a few batched reads (eventually consistent). */
  getMany(eventIds: readonly string[]): Promise<EventState[]>;
  list(query: EventRepositoryQuery): Promise<Page<EventState>>;
  /** Within the circle, nearest first (ties by id); the cursor is a position, not a key. */
  listNear(query: EventRepositoryNearQuery): Promise<Page<NearbyEvent>>;
  /**
   * Writes `after` if the event still is as `before` saw it: same version, same status,
   * and room left for every capacity reduction despite holds made since. The write that
   * cancels the event also marks its cancellation pending, in the same transaction.
   */
  update(before: EventState, after: EventState): Promise<'applied' | 'stale'>;
  delete(event: EventState): Promise<'deleted' | 'has-orders' | 'stale'>;
  /** Events still in the nearby index that start at or before `now`, earliest first. */
  startedNearby(now: string, limit: number): Promise<NearbyListing[]>;
  /**
   * Takes the event out of the nearby index, only if it is still in it and still starts
   * at or before `now`; false when it is not (moved, cancelled, deleted, or done already).
   */
  unlistNearby(eventId: string, now: string): Promise<boolean>;
  /** Cancellations queued at or before `before`, longest waiting first. */
  pendingCancellations(before: string, limit: number): Promise<PendingCancellation[]>;
  /**
   * Moves the event's pending cancellation to the back of the queue, as queued at `at`,
   * and stores where the next run over its orders resumes (`cursor`; null: from the
   * newest). Only while the cancellation is still pending; false when it is not.
   */
  requeueCancellation(eventId: string, at: string, cursor: string | null): Promise<boolean>;
  /**
   * Ends the event's pending cancellation, only if it is still pending and no ticket of
   * the event is held or sold (checked in the write, against the live counters); false
   * when not (already ended, or an order still holds tickets). Its stored cursor goes too.
   */
  endCancellation(event: EventState): Promise<boolean>;
  /**
   * The seats of these sections of the event that someone holds or has bought,
   * strongly consistent: a hold past its expiry keeps its seats HELD until released.
   */
  takenSeats(eventId: string, sections: readonly string[]): Promise<TakenSeat[]>;
}
