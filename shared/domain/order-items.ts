import type { BestAvailableRequest } from './best-available.js';
import { ValidationFailed } from './errors.js';
import type { EventState, TicketTypeState } from './event-model.js';
import type { HoldInput, OrderItem } from './order-model.js';
import { type LocatedSeat, locateSeat } from './seating-model.js';

/*
 * What a hold's items are made of, from the request and the event as read: priced items
 * by count for general admission, by seat for reserved seating, and the sections a
 * best-available request may pick from. Every fault is reported at its path.
 */

/** An item to hold, with whether the event's read already shows too few tickets left. */
export type PricedItem = OrderItem & { visiblyShort: boolean };

function priced(event: EventState, ticketTypeId: string, quantity: number): PricedItem {
  const ticketType = event.ticketTypes.find(({ id }) => id === ticketTypeId) as TicketTypeState;
  return {
    ticketTypeId,
    quantity,
    unitPriceCents: ticketType.priceCents,
    visiblyShort: ticketType.available < quantity,
  };
}

/** Tickets of unseated types by count; every fault at its path. */
export function countItems(
  event: EventState,
  input: Extract<HoldInput, { items: unknown }>,
): PricedItem[] {
  const seated = new Set(event.seating?.sections.map(({ ticketTypeId }) => ticketTypeId));
  const faults = input.items.flatMap(({ ticketTypeId }, index) => {
    const path = `body.items.${index}.ticketTypeId`;
    if (!event.ticketTypes.some(({ id }) => id === ticketTypeId)) {
      return [{ path, message: 'not a ticket type of this event' }];
    }
    // SPEC: seated tickets are taken by seat (seatIds or bestAvailable), never by count.
    return seated.has(ticketTypeId)
      ? [{ path, message: 'this ticket type is seated: hold by seatIds or bestAvailable' }]
      : [];
  });
  if (faults.length > 0) throw new ValidationFailed('Some items cannot be held', faults);
  return input.items.map(({ ticketTypeId, quantity }) => priced(event, ticketTypeId, quantity));
}

/**
 * Seats of the event's layout: one item per ticket type, in the order its first seat
 * was asked for, each carrying its seats in the order asked.
 */
export function seatItems(event: EventState, seatIds: readonly string[]): PricedItem[] {
  if (!event.seating) {
    throw new ValidationFailed('This event has no reserved seating', [
      { path: 'body.seatIds', message: 'this event has no seats: hold by items' },
    ]);
  }
  const located = seatIds.map((id) => locateSeat(event.seating, id));
  const faults = located.flatMap((seat, index) =>
    seat ? [] : [{ path: `body.seatIds.${index}`, message: 'not a seat of this event' }],
  );
  if (faults.length > 0) throw new ValidationFailed('Some seats cannot be held', faults);
  const byType = new Map<string, string[]>();
  for (const seat of located as LocatedSeat[]) {
    byType.set(seat.ticketTypeId, [...(byType.get(seat.ticketTypeId) ?? []), seat.id]);
  }
  return [...byType].map(([ticketTypeId, ids]) => ({
    ...priced(event, ticketTypeId, ids.length),
    seatIds: ids,
    // Only the transaction can say which seats are taken, which a count cannot.
    visiblyShort: false,
  }));
}

/**
 * The sections a best-available request may take seats from: those of its ticket type,
 * or the one it names. A type without seats, or a section of another, is the caller's
 * mistake (400), not a sold-out one.
 */
export function bestAvailableSections(event: EventState, request: BestAvailableRequest): string[] {
  const at = (field: string) => `body.bestAvailable.${field}`;
  if (!event.ticketTypes.some(({ id }) => id === request.ticketTypeId)) {
    throw new ValidationFailed('No such ticket type', [
      { path: at('ticketTypeId'), message: 'not a ticket type of this event' },
    ]);
  }
  const sections = (event.seating?.sections ?? [])
    .filter(({ ticketTypeId }) => ticketTypeId === request.ticketTypeId)
    .map(({ name }) => name);
  if (sections.length === 0) {
    throw new ValidationFailed('This ticket type has no seats', [
      { path: at('ticketTypeId'), message: 'this ticket type is not seated: hold by items' },
    ]);
  }
  if (request.section === undefined) return sections;
  if (!sections.includes(request.section)) {
    throw new ValidationFailed('No such section for this ticket type', [
      { path: at('section'), message: 'not a section of this ticket type' },
    ]);
  }
  return [request.section];
}
