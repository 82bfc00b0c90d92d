import type { Clock } from './clock.js';
import {
  ConcurrentModification,
  EventHasOrders,
  EventStateConflict,
  Forbidden,
  NotFound,
  Unauthenticated,
  ValidationFailed,
} from './errors.js';
import {
  applyUpdate,
  assertEndsAfterStart,
  assertStartsAfter,
  assertUniqueTicketTypeNames,
  newTicketType,
} from './event-changes.js';
import {
  type CreateEventInput,
  type EventState,
  type EventView,
  type ListEventsQuery,
  type NearbyEventView,
  NO_RESOLVED_ORDERS,
  raisesIntoPool,
  toEventView,
  toNearbyEventView,
  type UpdateEventInput,
} from './event-model.js';
import type { EventIndexQuery, EventRepository, EventRepositoryQuery } from './event-ports.js';
import { RADIUS_KM } from './geo.js';
import type { Page } from './page.js';
import { hasRole, isAdmin, type Principal } from './principal.js';
import type { RecentReads } from './recent-reads.js';
import { type SeatsQuery, type SeatView, seatMapPage } from './seat-map.js';
import { isFault, newTypeCapacity, seatingFaults, seatsBy, toLayout } from './seating-model.js';
import type { WaitlistHandover } from './waitlist-handover.js';

/**
 * Whether an event written at `writtenAt` belongs in the nearby index: radius searches
 * return upcoming published events only, so nothing else may take up their per-request
 * budget. The repository decides it on every write of the event (with the write's
 * `updatedAt`); the sweep takes the event out once it starts (`unlistStarted`).
 */
export function isListedNearby(
  event: Pick<EventState, 'status' | 'startsAt'>,
  writtenAt: string,
): boolean {
  return event.status === 'PUBLISHED' && event.startsAt > writtenAt;
}

/** Optimistic writes retry on a fresh read this many times before giving up with 409. */
const MAX_ATTEMPTS = 5;

export class EventService {
  /**
   * `onRecoverableError` hears of sweep failures, which are left for the next sweep
   * rather than thrown (the composition logs them).
   */
  constructor(
    private readonly repository: EventRepository,
    private readonly clock: Clock,
    private readonly newId: () => string,
    private readonly onRecoverableError: (message: string, error: unknown) => void = () => {},
    /** Serves the waitlist from a pool a capacity raise filled; best effort, as after a release. */
    private readonly waitlist: Pick<WaitlistHandover, 'afterRelease'> = {
      afterRelease: async () => {},
    },
    /**
     * Where the event reads of callers who manage no events come from (README "Hot
     * reads"); without it every read is strongly consistent.
     */
    private readonly recentEvents?: RecentReads<EventState | null>,
  ) {}

  async create(principal: Principal, input: CreateEventInput): Promise<EventView> {
    const organizerId = requireUser(principal);
    if (!isAdmin(principal) && !hasRole(principal, 'organizer')) {
      throw new Forbidden('Only organizers and admins may create events');
    }
    const now = this.clock.now().toISOString();
    assertStartsAfter(input.startsAt, now);
    assertEndsAfterStart(input.startsAt, input.endsAt);
    assertUniqueTicketTypeNames(input.ticketTypes);
    const id = this.newId();
    const named = input.ticketTypes.map((ticketType) => ({ ...ticketType, id: this.newId() }));
    const seats = seatsBy(input.seating?.sections ?? [], (section) => section.ticketType);
    const capacities = named.map(({ name, capacity }, index) =>
      newTypeCapacity(capacity, seats.get(name), `body.ticketTypes.${index}.capacity`),
    );
    const faults = [
      ...(input.seating
        ? seatingFaults(
            input.seating,
            named.map(({ name }) => name),
          )
        : []),
      ...capacities.filter(isFault),
    ];
    if (faults.length > 0)
      throw new ValidationFailed('The ticket types or seating are not valid', faults);
    const event: EventState = {
      id,
      organizerId,
      name: input.name,
      ...(input.description !== undefined && { description: input.description }),
      venue: input.venue,
      startsAt: input.startsAt,
      ...(input.endsAt !== undefined && { endsAt: input.endsAt }),
      currency: input.currency,
      status: 'DRAFT',
      maxTicketsPerOrder: input.maxTicketsPerOrder,
      holdSeconds: input.holdSeconds,
      ticketTypes: named.map(({ id, name, priceCents }, position) =>
        newTicketType(id, { name, priceCents, capacity: capacities[position] as number }, position),
      ),
      ...(input.seating !== undefined && { seating: toLayout(input.seating, named) }),
      orderCount: 0,
      resolvedOrders: { ...NO_RESOLVED_ORDERS },
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.repository.insert(event);
    return toEventView(event);
  }

  async get(principal: Principal, eventId: string): Promise<EventView> {
    return toEventView(await this.loadVisible(principal, eventId));
  }

  /** Each event the caller may see, by id, from a few batched reads (for nested fields). */
  async getVisibleMany(
    principal: Principal,
    eventIds: readonly string[],
  ): Promise<Map<string, EventView>> {
    const events = await this.repository.getMany(eventIds);
    return new Map(
      events
        .filter((event) => event.status !== 'DRAFT' || canManage(principal, event))
        .map((event) => [event.id, toEventView(event)]),
    );
  }

  /**
   * One page of the seat map: the layout on the event with the taken seats of the
   * sections it may show laid over it.
   */
  async seats(principal: Principal, eventId: string, query: SeatsQuery): Promise<Page<SeatView>> {
    const event = await this.loadVisible(principal, eventId);
    const sections = (event.seating?.sections ?? [])
      .map(({ name }) => name)
      .filter((name) => query.section === undefined || name === query.section);
    const taken = await this.repository.takenSeats(eventId, sections);
    return seatMapPage(event.seating, taken, query);
  }

  /**
   * Sorted by startsAt; with `near`, nearest first instead, each with its `distanceKm`,
   * and only events that start after now (the query schema allows `near` only with
   * PUBLISHED, the default).
   */
  async list(
    principal: Principal,
    query: ListEventsQuery,
  ): Promise<Page<EventView> | Page<NearbyEventView>> {
    const repositoryQuery: EventRepositoryQuery = {
      ...indexFor(principal, query),
      ...(query.from !== undefined && { from: query.from }),
      ...(query.to !== undefined && { to: query.to }),
      ...(query.q !== undefined && { nameContains: query.q }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
      limit: query.limit,
    };
    if (query.near !== undefined) {
      const near = { centre: query.near, radiusKm: query.radiusKm ?? RADIUS_KM.default };
      const page = await this.repository.listNear({
        ...repositoryQuery,
        near,
        startsAfter: this.clock.now().toISOString(),
      });
      return { items: page.items.map(toNearbyEventView), nextCursor: page.nextCursor };
    }
    const page = await this.repository.list(repositoryQuery);
    return { items: page.items.map(toEventView), nextCursor: page.nextCursor };
  }

  update(principal: Principal, eventId: string, input: UpdateEventInput): Promise<EventView> {
    return this.change(principal, eventId, (event) =>
      applyUpdate(event, input, this.newId, this.clock.now().toISOString()),
    );
  }

  publish(principal: Principal, eventId: string): Promise<EventView> {
    return this.change(principal, eventId, (event) => {
      if (event.status === 'PUBLISHED') return event;
      if (event.status === 'CANCELLED') {
        throw new EventStateConflict('A cancelled event cannot be published');
      }
      // Nothing of a started event can be sold, so listing it would only mislead.
      if (event.startsAt <= this.clock.now().toISOString()) {
        throw new EventStateConflict('The event has started; move startsAt to the future first');
      }
      return { ...event, status: 'PUBLISHED' };
    });
  }

  cancel(principal: Principal, eventId: string): Promise<EventView> {
    return this.change(principal, eventId, (event) =>
      event.status === 'CANCELLED' ? event : { ...event, status: 'CANCELLED' },
    );
  }

  async delete(principal: Principal, eventId: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const event = await this.loadOwned(principal, eventId);
      const outcome = await this.repository.delete(event);
      if (outcome === 'deleted') return;
      if (outcome === 'has-orders') {
        throw new EventHasOrders('An event with orders cannot be deleted; cancel it instead');
      }
    }
    throw new ConcurrentModification('The event kept changing; try again');
  }

  /**
   * The sweep's part for events: takes at most `limit` events that have started out of
   * the nearby index, earliest first. Each removal is conditional on the event still
   * having started (a PATCH may have moved it) and still being listed; one that fails is
   * reported and left for the next sweep, without holding up the others.
   */
  async unlistStarted(limit = 100): Promise<{ unlisted: number }> {
    const now = this.clock.now().toISOString();
    const started = await this.repository.startedNearby(now, limit);
    let unlisted = 0;
    for (const { eventId } of started) {
      try {
        if (await this.repository.unlistNearby(eventId, now)) unlisted++;
      } catch (error) {
        this.onRecoverableError(
          `Sweep could not take event ${eventId} out of the nearby index`,
          error,
        );
      }
    }
    return { unlisted };
  }

  /** Read, decide, write conditionally; on a lost race, decide again on fresh state. */
  private async change(
    principal: Principal,
    eventId: string,
    decide: (event: EventState) => EventState,
  ): Promise<EventView> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const before = await this.loadOwned(principal, eventId);
      const decided = decide(before);
      if (decided === before) return toEventView(before);
      const after: EventState = {
        ...decided,
        version: before.version + 1,
        updatedAt: this.clock.now().toISOString(),
      };
      if ((await this.repository.update(before, after)) === 'applied') {
        await this.offerRaises(before, after);
        return toEventView(after);
      }
    }
    throw new ConcurrentModification('The event kept changing; try again');
  }

  /** Capacity raised while someone waits went to the line's pool: offer it now. */
  private async offerRaises(before: EventState, after: EventState): Promise<void> {
    const raised = raisesIntoPool(before, after);
    if (raised.length > 0) await this.waitlist.afterRelease(after.id, raised);
  }

  private async loadVisible(principal: Principal, eventId: string): Promise<EventState> {
    const event = await this.readFor(principal, eventId);
    if (!event || (event.status === 'DRAFT' && !canManage(principal, event))) {
      throw new NotFound(`Event ${eventId} not found`);
    }
    return event;
  }

  /**
   * Organizers and admins read their own writes at once; anyone else may be served a read
   * a moment old, eventually consistent (half the read units), shared with every other
   * such caller of this container. Holds and organizer writes never come through here.
   */
  private readFor(principal: Principal, eventId: string): Promise<EventState | null> {
    const recent = this.recentEvents;
    if (!recent || isAdmin(principal) || hasRole(principal, 'organizer')) {
      return this.repository.get(eventId);
    }
    return recent.get(eventId, () => this.repository.get(eventId, { consistent: false }));
  }

  private async loadOwned(principal: Principal, eventId: string): Promise<EventState> {
    requireUser(principal);
    return ownedEvent(principal, eventId, await this.repository.get(eventId));
  }
}

/**
 * The event if the caller organizes it or is an admin. To anyone else a draft does not
 * exist (404), and a published or cancelled event may be seen but not managed (403).
 */
export function ownedEvent(
  principal: Principal,
  eventId: string,
  event: EventState | null,
): EventState {
  if (!event || (event.status === 'DRAFT' && !canManage(principal, event))) {
    throw new NotFound(`Event ${eventId} not found`);
  }
  if (!canManage(principal, event)) {
    throw new Forbidden('Only the event organizer or an admin may manage this event');
  }
  return event;
}

function requireUser(principal: Principal): string {
  if (principal.userId === null) throw new Unauthenticated('Sign in to do this');
  return principal.userId;
}

export function canManage(principal: Principal, event: EventState): boolean {
  return (
    isAdmin(principal) || (principal.userId !== null && principal.userId === event.organizerId)
  );
}

/**
 * Which index answers a listing, and what the caller may see: everyone sees published
 * and cancelled events; drafts only to their organizer (their own) and admins (all).
 */
export function indexFor(principal: Principal, query: ListEventsQuery): EventIndexQuery {
  const status = query.status ?? 'PUBLISHED';
  if (status === 'DRAFT' && !isAdmin(principal)) {
    if (principal.userId === null) throw new Unauthenticated('Sign in to list drafts');
    if (!hasRole(principal, 'organizer')) {
      throw new Forbidden('Only organizers and admins may list drafts');
    }
    if (query.organizerId !== undefined && query.organizerId !== principal.userId) {
      throw new Forbidden('Organizers may list only their own drafts');
    }
    return { index: 'byOrganizer', organizerId: principal.userId, status };
  }
  return query.organizerId !== undefined
    ? { index: 'byOrganizer', organizerId: query.organizerId, status }
    : { index: 'byStatus', status };
}
