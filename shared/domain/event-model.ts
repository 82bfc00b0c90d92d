import * as z from 'zod';
import { metresToKm, nearSchema, radiusKmSchema } from './geo.js';
import { multilinePlainText, plainText } from './plain-text.js';
import { queryInteger } from './query-params.js';
import {
  SEATING_LIMITS,
  type Seating,
  type SeatingLayout,
  seatingSchema,
  toSeating,
} from './seating-model.js';

export const EVENT_STATUSES = ['DRAFT', 'PUBLISHED', 'CANCELLED'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const LIMITS = {
  maxTicketsPerOrder: { min: 1, max: 100, default: 10 },
  holdSeconds: { min: 5, max: 86_400, default: 600 },
  ticketTypesPerEvent: 50,
  capacityPerTicketType: 1_000_000,
  priceCents: 100_000_000,
  pageSize: { default: 20, max: 100 },
  ...SEATING_LIMITS,
} as const;

/** `limit` of every paged list. */
export const pageLimitSchema = queryInteger(
  1,
  LIMITS.pageSize.max,
  `Items per page, at most ${LIMITS.pageSize.max}`,
).prefault(LIMITS.pageSize.default);

/** Any ISO 8601 date-time with a zone; stored and returned normalised to UTC with milliseconds. */
export const isoDateTime = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  // An offset can push a year-9999 time past 9999, whose expanded form would break sorting.
  .refine((value) => /^\d{4}-/.test(value), { message: 'must be within the years 0000–9999 UTC' });

export const venueSchema = z.strictObject({
  name: plainText(200),
  address: plainText(300).optional(),
  city: plainText(100).optional(),
  country: plainText(100).optional(),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export type Venue = z.infer<typeof venueSchema>;

const capacity = z.int().min(1).max(LIMITS.capacityPerTicketType);

export const newTicketTypeSchema = z.strictObject({
  name: plainText(100),
  priceCents: z.int().min(0).max(LIMITS.priceCents),
  capacity: capacity.optional().meta({
    description:
      "Required unless the type is seated; a seated type's capacity is its seat count " +
      '(omit it, or send exactly that)',
  }),
});

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

const maxTicketsPerOrder = z
  .int()
  .min(LIMITS.maxTicketsPerOrder.min)
  .max(LIMITS.maxTicketsPerOrder.max);
const holdSeconds = z.int().min(LIMITS.holdSeconds.min).max(LIMITS.holdSeconds.max);

export const createEventSchema = z.strictObject({
  name: plainText(200),
  description: multilinePlainText(5000).optional(),
  venue: venueSchema,
  startsAt: isoDateTime,
  endsAt: isoDateTime.optional(),
  currency: currency.default('USD'),
  maxTicketsPerOrder: maxTicketsPerOrder.default(LIMITS.maxTicketsPerOrder.default),
  holdSeconds: holdSeconds.default(LIMITS.holdSeconds.default),
  ticketTypes: z.array(newTicketTypeSchema).min(1).max(LIMITS.ticketTypesPerEvent),
  seating: seatingSchema.optional(),
});
export type CreateEventInput = z.infer<typeof createEventSchema>;

const ticketTypeChangeSchema = z.strictObject({
  id: z.string().min(1),
  name: plainText(100).optional(),
  priceCents: z.int().min(0).max(LIMITS.priceCents).optional(),
  capacity: capacity.optional().meta({
    description: 'Not for a seated type: its capacity follows the layout',
  }),
});

/**
 * PATCH semantics: absent fields stay; `null` clears an optional field; `venue` fields
 * merge into the current venue; a ticket type with `id` changes that type, one
 * without `id` is added. Ticket types are never removed, since orders point at them.
 */
export const updateEventSchema = z
  .strictObject({
    name: plainText(200).optional(),
    description: multilinePlainText(5000).nullable().optional(),
    venue: venueSchema.partial().strict().optional(),
    startsAt: isoDateTime.optional(),
    endsAt: isoDateTime.nullable().optional(),
    currency: currency.optional(),
    maxTicketsPerOrder: maxTicketsPerOrder.optional(),
    holdSeconds: holdSeconds.optional(),
    ticketTypes: z
      .array(z.union([ticketTypeChangeSchema, newTicketTypeSchema]))
      .min(1)
      .max(LIMITS.ticketTypesPerEvent)
      .optional(),
    /** Only while the event is a draft; the seated types' capacities follow it. */
    seating: seatingSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type UpdateEventInput = z.infer<typeof updateEventSchema>;

export const listEventsQuerySchema = z
  .strictObject({
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    q: plainText(100).optional(),
    status: z.enum(EVENT_STATUSES).optional(),
    organizerId: z.string().min(1).max(100).optional(),
    limit: pageLimitSchema,
    cursor: z.string().min(1).max(2048).optional(),
    /** Upcoming published events only (startsAt after now), nearest first. */
    near: nearSchema.optional(),
    /** With `near` only; RADIUS_KM.default when `near` comes alone. */
    radiusKm: radiusKmSchema.optional(),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  })
  .refine((query) => query.radiusKm === undefined || query.near !== undefined, {
    message: '`radiusKm` needs `near`',
    path: ['radiusKm'],
  })
  // The nearby index holds upcoming published events only.
  .refine((query) => query.near === undefined || (query.status ?? 'PUBLISHED') === 'PUBLISHED', {
    message: 'near-me searches published events only: leave out `status` or send PUBLISHED',
    path: ['status'],
  });
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;

export const eventIdParamsSchema = z.strictObject({ eventId: z.string().min(1).max(100) });

/** A ticket type as stored, with the live counters the hold path maintains. */
export interface TicketTypeState {
  id: string;
  name: string;
  priceCents: number;
  capacity: number;
  available: number;
  held: number;
  sold: number;
  revenueCents: number;
  position: number;
}

/** Where an order that left HELD is now; a refund moves it from `confirmed` to `refunded`. */
export const ORDER_RESOLUTIONS = ['confirmed', 'cancelled', 'expired', 'refunded'] as const;
export type OrderResolution = (typeof ORDER_RESOLUTIONS)[number];
export type ResolvedOrderCounts = Record<OrderResolution, number>;

export const NO_RESOLVED_ORDERS: Readonly<ResolvedOrderCounts> = {
  confirmed: 0,
  cancelled: 0,
  expired: 0,
  refunded: 0,
};

/** The whole event as the domain sees it, assembled from its META and INVENTORY items. */
export interface EventState {
  id: string;
  organizerId: string;
  name: string;
  description?: string;
  venue: Venue;
  startsAt: string;
  endsAt?: string;
  currency: string;
  status: EventStatus;
  maxTicketsPerOrder: number;
  holdSeconds: number;
  ticketTypes: TicketTypeState[];
  /** Reserved seating, if any; its sections' types have exactly their seat count as capacity. */
  seating?: SeatingLayout;
  /** Orders ever placed; an event with any cannot be deleted. Maintained by the hold path. */
  orderCount: number;
  /**
   * Orders that have left HELD, by where they are now; maintained by their transitions.
   * The orders still held are `orderCount` less these, so the hold path writes no more.
   */
  resolvedOrders: ResolvedOrderCounts;
  /**
   * Waiting waitlist entries by ticket type, where any wait: a capacity raise of such a
   * type goes to the line first. Absent when nobody waits.
   */
  waitlistWaiting?: Readonly<Record<string, number>>;
  /** Bumped by every organizer write (not by holds); the optimistic lock for those writes. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What the event keeps for itself: counters behind stats, and its optimistic lock. */
type InternalEventFields =
  | 'ticketTypes'
  | 'orderCount'
  | 'resolvedOrders'
  | 'version'
  | 'waitlistWaiting';

/** A ticket type as clients see it: what it is and how many are left, not who holds them. */
export type TicketTypeView = Pick<
  TicketTypeState,
  'id' | 'name' | 'priceCents' | 'capacity' | 'available'
>;

/**
 * The event as clients see it (SPEC "Event"): its state without the internal fields, its
 * seating naming ticket types as clients do.
 */
export type EventView = Omit<EventState, InternalEventFields | 'seating'> & {
  ticketTypes: TicketTypeView[];
  seating?: Seating;
};

/**
 * Ticket types whose capacity `after` raises while someone waits for them: the raise goes
 * to their waitlist's pool, for the hand-over to offer first.
 */
export function raisesIntoPool(before: EventState, after: EventState): string[] {
  return after.ticketTypes
    .filter(({ id, capacity }) => {
      const previous = before.ticketTypes.find((ticketType) => ticketType.id === id);
      return previous !== undefined && capacity > previous.capacity;
    })
    .map(({ id }) => id)
    .filter((id) => (before.waitlistWaiting?.[id] ?? 0) > 0);
}

export function toEventView(event: EventState): EventView {
  const {
    ticketTypes,
    seating,
    orderCount: _,
    resolvedOrders: __,
    version: ___,
    waitlistWaiting: ____,
    ...visible
  } = event;
  return {
    ...visible,
    ...(seating !== undefined && { seating: toSeating(seating, ticketTypes) }),
    ticketTypes: [...ticketTypes]
      .sort((a, b) => a.position - b.position)
      .map(({ id, name, priceCents, capacity, available }) => ({
        id,
        name,
        priceCents,
        capacity,
        available,
      })),
  };
}

/** An event found by a radius search, with its great-circle distance from the centre. */
export type NearbyEventView = EventView & { distanceKm: number };

export function toNearbyEventView(found: {
  event: EventState;
  distanceMetres: number;
}): NearbyEventView {
  return { ...toEventView(found.event), distanceKm: metresToKm(found.distanceMetres) };
}
