import { CapacityBelowSold, EventStateConflict, ValidationFailed } from './errors.js';
import {
  type EventState,
  LIMITS,
  type TicketTypeState,
  type UpdateEventInput,
} from './event-model.js';
import {
  changedCapacity,
  isFault,
  layoutGrowthFault,
  newTypeCapacity,
  seatingFaults,
  seatsBy,
  toLayout,
} from './seating-model.js';

/*
 * What an organizer's change makes of an event, as pure functions: the event after a
 * PATCH, a new ticket type, and the rules every create and PATCH checks. EventService
 * reads, decides with these, and writes.
 */
export function newTicketType(
  id: string,
  input: { name: string; priceCents: number; capacity: number },
  position: number,
): TicketTypeState {
  return {
    id,
    name: input.name,
    priceCents: input.priceCents,
    capacity: input.capacity,
    available: input.capacity,
    held: 0,
    sold: 0,
    revenueCents: 0,
    position,
  };
}

/**
 * Pure: the event as it would be after a PATCH at `now`, or the 4xx that forbids it. A
 * new start must lie after `now`; an event that has started keeps its start and may still
 * change otherwise, so its own `startsAt` sent back is no change.
 */
export function applyUpdate(
  event: EventState,
  input: UpdateEventInput,
  newId: () => string,
  now: string,
): EventState {
  if (event.status === 'CANCELLED') {
    throw new EventStateConflict('A cancelled event cannot be changed');
  }
  if (
    input.currency !== undefined &&
    input.currency !== event.currency &&
    event.status !== 'DRAFT'
  ) {
    throw new EventStateConflict('The currency can change only while the event is a draft');
  }
  if (input.startsAt !== undefined && input.startsAt !== event.startsAt) {
    assertStartsAfter(input.startsAt, now);
  }
  const ticketTypes = event.ticketTypes.map((ticketType) => ({ ...ticketType }));
  // Capacities are decided once every type has its new name: a new layout names them.
  const sentCapacities: {
    ticketType: TicketTypeState;
    sent: number | undefined;
    index: number;
    kind: 'new' | 'change';
  }[] = [];
  for (const [index, change] of (input.ticketTypes ?? []).entries()) {
    if (!('id' in change)) {
      const added = newTicketType(newId(), { ...change, capacity: 0 }, ticketTypes.length);
      ticketTypes.push(added);
      sentCapacities.push({ ticketType: added, sent: change.capacity, index, kind: 'new' });
      continue;
    }
    const current = ticketTypes.find((ticketType) => ticketType.id === change.id);
    if (!current) {
      throw new ValidationFailed('Unknown ticket type', [
        { path: 'ticketTypes', message: `no ticket type ${change.id} in this event` },
      ]);
    }
    sentCapacities.push({ ticketType: current, sent: change.capacity, index, kind: 'change' });
    if (change.name !== undefined) current.name = change.name;
    if (change.priceCents !== undefined) current.priceCents = change.priceCents;
  }
  if (ticketTypes.length > LIMITS.ticketTypesPerEvent) {
    throw new ValidationFailed('Too many ticket types', [
      {
        path: 'ticketTypes',
        message: `an event has at most ${LIMITS.ticketTypesPerEvent} ticket types`,
      },
    ]);
  }
  assertUniqueTicketTypeNames(ticketTypes);

  const faults = input.seating
    ? seatingFaults(
        input.seating,
        ticketTypes.map(({ name }) => name),
      )
    : [];
  const seating =
    input.seating && faults.length === 0 ? toLayout(input.seating, ticketTypes) : event.seating;
  if (input.seating !== undefined && seating !== undefined && event.status !== 'DRAFT') {
    // Published: rows and sections may be added, never taken away or moved.
    const added = new Set(ticketTypes.slice(event.ticketTypes.length).map(({ id }) => id));
    const fault = layoutGrowthFault(event.seating, seating, added);
    if (fault !== null) {
      throw new EventStateConflict(
        `A published event's layout may only gain rows and sections: ${fault}`,
      );
    }
  }
  const seats = seatsBy(seating?.sections ?? [], (section) => section.ticketTypeId);
  const capacities = new Map<TicketTypeState, number>();
  for (const { ticketType, sent, index, kind } of sentCapacities) {
    const path = `body.ticketTypes.${index}.capacity`;
    const result =
      kind === 'new'
        ? newTypeCapacity(sent, seats.get(ticketType.id), path)
        : changedCapacity(sent, seats.get(ticketType.id), ticketType.capacity, path);
    if (isFault(result)) faults.push(result);
    else capacities.set(ticketType, result);
  }
  // Seated types follow the layout whether or not the request named them.
  for (const ticketType of ticketTypes) {
    const count = seats.get(ticketType.id);
    if (count !== undefined && !capacities.has(ticketType)) capacities.set(ticketType, count);
  }
  if (faults.length > 0)
    throw new ValidationFailed('The ticket types or seating are not valid', faults);
  for (const [ticketType, capacity] of capacities) {
    const taken = ticketType.held + ticketType.sold;
    if (capacity < taken) {
      throw new CapacityBelowSold(
        `Ticket type ${ticketType.name} has ${taken} tickets held or sold; capacity ${capacity} is too low`,
      );
    }
    ticketType.available += capacity - ticketType.capacity;
    ticketType.capacity = capacity;
  }

  const { description, endsAt, venue, ticketTypes: _, seating: __, ...scalars } = input;
  const next: EventState = {
    ...event,
    ...scalars,
    venue: venue ? { ...event.venue, ...venue } : event.venue,
    ticketTypes,
    ...(seating !== undefined && { seating }),
  };
  if (description === null) delete next.description;
  else if (description !== undefined) next.description = description;
  if (endsAt === null) delete next.endsAt;
  else if (endsAt !== undefined) next.endsAt = endsAt;
  assertEndsAfterStart(next.startsAt, next.endsAt);
  return next;
}

/** Nobody can buy tickets for the past, and a past start would mislead every listing. */
export function assertStartsAfter(startsAt: string, now: string): void {
  // Both are normalised UTC timestamps (`isoDateTime`), so text order is time order.
  if (startsAt <= now) {
    throw new ValidationFailed('The event must start in the future', [
      { path: 'body.startsAt', message: 'must be in the future' },
    ]);
  }
}

export function assertEndsAfterStart(startsAt: string, endsAt: string | undefined): void {
  if (endsAt !== undefined && endsAt <= startsAt) {
    throw new ValidationFailed('The event must end after it starts', [
      { path: 'endsAt', message: 'must be after startsAt' },
    ]);
  }
}

export function assertUniqueTicketTypeNames(ticketTypes: readonly { name: string }[]): void {
  const seen = new Set<string>();
  for (const [index, { name }] of ticketTypes.entries()) {
    const key = name.toLowerCase();
    if (seen.has(key)) {
      throw new ValidationFailed('Ticket type names must be unique within an event', [
        { path: `ticketTypes.${index}.name`, message: `duplicate name "${name}"` },
      ]);
    }
    seen.add(key);
  }
}
