import * as z from 'zod';
import { analyticsQuerySchema, eventStatsQuerySchema } from '../../domain/analytics-model.js';
import {
  CapacityBelowSold,
  ConcurrentModification,
  EventHasOrders,
  EventStateConflict,
  Forbidden,
  NotFound,
  Unauthenticated,
} from '../../domain/errors.js';
import {
  createEventSchema,
  eventIdParamsSchema,
  listEventsQuerySchema,
  updateEventSchema,
} from '../../domain/event-model.js';
import { seatsQuerySchema } from '../../domain/seat-map.js';
import { SEATING_LIMITS } from '../../domain/seating-model.js';
import { EVENT_ID, TICKET_TYPE_ID } from '../examples.js';
import {
  analyticsSchema,
  eventPageSchema,
  eventStatsSchema,
  eventViewSchema,
  nearbyEventPageSchema,
  seatPageSchema,
} from '../responses.js';
import { DEFAULT_THROTTLE, defineRoute, READ_THROTTLE } from '../route-record.js';

/** As old as a container's memo may make an answer anyway (README "Hot reads"). */
const PUBLIC_CACHE_SECONDS = 1;
/** What the wrapper puts on a success of a route with `publicCacheSeconds`. */
const publicCacheHeaders = z.object({
  'Cache-Control': z.enum([`public, max-age=${PUBLIC_CACHE_SECONDS}`, 'private, no-store']).meta({
    description:
      'Public for a caller who sent no token (any cache may keep it that long); ' +
      'private, no-store for a signed-in caller. Errors are always private, no-store.',
  }),
  Vary: z
    .literal('authorization')
    .optional()
    .meta({ description: 'On the public answers: a request with a token is another answer.' }),
});

// Events, their ticket types, and their stats and analytics. Each record is all there is to know of a route: how it is deployed
// and guarded, what it takes and answers, and an example.

export const CreateEvent = defineRoute({
  id: 'CreateEvent',
  method: 'POST',
  path: '/v1/events',
  handler: 'create-event',
  access: 'organizer',
  table: 'write',
  throttle: DEFAULT_THROTTLE,
  tag: 'Events',
  summary: 'Create an event, as a draft',
  description:
    '`startsAt` is in the future; `endsAt` is after `startsAt`. Ticket type names are ' +
    'unique within the event.',
  request: { body: createEventSchema },
  example: {
    body: {
      name: 'Spring Concert',
      description: 'An evening of chamber music',
      venue: {
        name: 'Philharmonie',
        address: 'Herbert-von-Karajan-Str. 1',
        city: 'Berlin',
        country: 'DE',
        latitude: 52.5096,
        longitude: 13.3694,
      },
      startsAt: '2027-03-01T19:30:00Z',
      endsAt: '2027-03-01T22:00:00Z',
      currency: 'EUR',
      maxTicketsPerOrder: 6,
      holdSeconds: 600,
      ticketTypes: [
        { name: 'Stalls', priceCents: 8900, capacity: 800 },
        { name: 'Balcony', priceCents: 4900, capacity: 400 },
      ],
    },
  },
  success: { status: 201, description: 'The new draft event', schema: eventViewSchema },
  errors: [],
});

export const ListEvents = defineRoute({
  id: 'ListEvents',
  method: 'GET',
  path: '/v1/events',
  handler: 'list-events',
  access: 'public',
  identifiesCaller: true,
  publicCacheSeconds: PUBLIC_CACHE_SECONDS,
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Events',
  summary: 'Browse events, sorted by start time',
  description:
    'Published events by default; `status` and `organizerId` filter. Drafts need a token: ' +
    'organizers see their own, admins all. With `near=latitude,longitude`, only upcoming ' +
    'published events (startsAt after now) within `radiusKm` (default 50, at most 500) ' +
    'of it, nearest first, each with its `distanceKm`; `status` other than PUBLISHED is ' +
    'rejected with 400, and a `to` in the past gives an empty page. `from`, `to`, `q` ' +
    'and `organizerId` still filter.',
  request: { query: listEventsQuerySchema },
  example: {
    query: {
      from: '2027-03-01T00:00:00Z',
      to: '2027-03-31T23:59:59Z',
      q: 'concert',
      near: '52.52,13.405',
      radiusKm: 25,
      limit: 20,
    },
  },
  success: {
    status: 200,
    description: 'One page of events; with `near`, of events with their distance',
    schema: z.union([eventPageSchema, nearbyEventPageSchema]),
    headers: publicCacheHeaders,
  },
  errors: [Unauthenticated, Forbidden],
});

export const GetEvent = defineRoute({
  id: 'GetEvent',
  method: 'GET',
  path: '/v1/events/{eventId}',
  handler: 'get-event',
  access: 'public',
  identifiesCaller: true,
  publicCacheSeconds: PUBLIC_CACHE_SECONDS,
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Events',
  summary: 'An event with live availability',
  description: 'A draft is 404 to anyone but its organizer and admins.',
  request: { params: eventIdParamsSchema },
  example: { params: { eventId: EVENT_ID } },
  success: {
    status: 200,
    description: 'The event',
    schema: eventViewSchema,
    headers: publicCacheHeaders,
  },
  errors: [NotFound],
});

export const GetSeats = defineRoute({
  id: 'GetSeats',
  method: 'GET',
  path: '/v1/events/{eventId}/seats',
  handler: 'get-seats',
  access: 'public',
  identifiesCaller: true,
  publicCacheSeconds: PUBLIC_CACHE_SECONDS,
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Events',
  summary: 'The seat map of an event with reserved seating',
  description:
    'Seats in layout order: sections, rows front to back, seat numbers from 1. `section` ' +
    'and `status` filter; a section the event does not have gives an empty page, as does ' +
    `an event without seating. Pages hold up to ${SEATING_LIMITS.seatsPerPage.max} seats ` +
    `(default ${SEATING_LIMITS.seatsPerPage.default}). A draft is 404 to anyone but its ` +
    'organizer and admins.',
  request: { params: eventIdParamsSchema, query: seatsQuerySchema },
  example: {
    params: { eventId: EVENT_ID },
    query: { section: 'Stalls', status: 'AVAILABLE', limit: 500 },
  },
  success: {
    status: 200,
    description: 'One page of seats',
    schema: seatPageSchema,
    headers: publicCacheHeaders,
  },
  errors: [NotFound],
});

export const UpdateEvent = defineRoute({
  id: 'UpdateEvent',
  method: 'PATCH',
  path: '/v1/events/{eventId}',
  handler: 'update-event',
  access: 'organizer',
  table: 'write',
  throttle: DEFAULT_THROTTLE,
  tag: 'Events',
  summary: 'Change an event (its organizer or an admin)',
  description:
    'Absent fields stay; `null` clears an optional field; `venue` fields merge. A ticket ' +
    'type with `id` changes that type, one without is added; none is ever removed. A ' +
    'capacity cannot go below what is held and sold. A new `startsAt` must be in the ' +
    'future; an event that has started can still change otherwise.',
  request: { params: eventIdParamsSchema, body: updateEventSchema },
  example: {
    params: { eventId: EVENT_ID },
    body: {
      name: 'Spring Concert (extra date)',
      ticketTypes: [
        { id: TICKET_TYPE_ID, capacity: 900 },
        { name: 'Standing', priceCents: 2900, capacity: 200 },
      ],
    },
  },
  success: { status: 200, description: 'The updated event', schema: eventViewSchema },
  errors: [NotFound, CapacityBelowSold, EventStateConflict, ConcurrentModification],
});

export const DeleteEvent = defineRoute({
  id: 'DeleteEvent',
  method: 'DELETE',
  path: '/v1/events/{eventId}',
  handler: 'delete-event',
  access: 'organizer',
  table: 'write',
  throttle: DEFAULT_THROTTLE,
  tag: 'Events',
  summary: 'Delete an event that has no orders',
  request: { params: eventIdParamsSchema },
  example: { params: { eventId: EVENT_ID } },
  success: { status: 204, description: 'Deleted' },
  errors: [NotFound, EventHasOrders, ConcurrentModification],
});

export const PublishEvent = defineRoute({
  id: 'PublishEvent',
  method: 'POST',
  path: '/v1/events/{eventId}/publish',
  handler: 'publish-event',
  access: 'organizer',
  table: 'write',
  throttle: DEFAULT_THROTTLE,
  tag: 'Events',
  summary: 'Put a draft on sale',
  request: { params: eventIdParamsSchema },
  example: { params: { eventId: EVENT_ID } },
  success: { status: 200, description: 'The event, now PUBLISHED', schema: eventViewSchema },
  errors: [NotFound, EventStateConflict, ConcurrentModification],
});

export const CancelEvent = defineRoute({
  id: 'CancelEvent',
  method: 'POST',
  path: '/v1/events/{eventId}/cancel',
  handler: 'cancel-event',
  access: 'organizer',
  table: 'write',
  // Releases or refunds every order and emails each customer.
  uses: ['emailQueue'],
  throttle: DEFAULT_THROTTLE,
  tag: 'Events',
  summary: 'Cancel an event',
  description:
    'Releases every held order, refunds every confirmed one, emails each customer. What the request has no time for, the minute sweep finishes; cancelling again answers 200 and resumes it.',
  request: { params: eventIdParamsSchema },
  example: { params: { eventId: EVENT_ID } },
  success: { status: 200, description: 'The event, now CANCELLED', schema: eventViewSchema },
  errors: [NotFound, ConcurrentModification],
});

export const EventStats = defineRoute({
  id: 'EventStats',
  method: 'GET',
  path: '/v1/events/{eventId}/stats',
  handler: 'event-stats',
  access: 'organizer',
  table: 'read',
  throttle: DEFAULT_THROTTLE,
  tag: 'Events',
  summary: 'Sales figures of an event (its organizer or an admin)',
  description:
    'Counters as holds are taken against them: a hold past `expiresAt` keeps its tickets ' +
    '`held` until the expiry job releases them, though its order already counts as expired.',
  request: { params: eventIdParamsSchema, query: eventStatsQuerySchema },
  example: { params: { eventId: EVENT_ID }, query: {} },
  success: { status: 200, description: 'The figures', schema: eventStatsSchema },
  errors: [NotFound],
});

export const AdminAnalytics = defineRoute({
  id: 'AdminAnalytics',
  method: 'GET',
  path: '/v1/admin/analytics',
  handler: 'admin-analytics',
  access: 'admin',
  table: 'read',
  throttle: DEFAULT_THROTTLE,
  tag: 'Events',
  summary: 'Sales across all events over a window of UTC days',
  description:
    'Counts the orders created in the window that have left HELD. `to` defaults to today, ' +
    '`from` to 30 days before; a window spans at most 366 days.',
  request: { query: analyticsQuerySchema },
  example: { query: { from: '2027-03-01', to: '2027-03-31' } },
  success: { status: 200, description: 'The figures', schema: analyticsSchema },
  errors: [],
});
