import { z } from 'zod';
import { analyticsQuerySchema, eventStatsQuerySchema } from '../domain/analytics-model.js';
import {
  CapacityBelowSold,
  ConcurrentModification,
  type DomainError,
  EmailTaken,
  EventHasOrders,
  EventNotOnSale,
  EventStateConflict,
  Forbidden,
  IdempotencyInProgress,
  IdempotencyKeyReused,
  LimitExceeded,
  LocationRequired,
  NotFound,
  OrderNotPayable,
  PaymentDeclined,
  SoldOut,
  Unauthenticated,
} from '../domain/errors.js';
import {
  createEventSchema,
  eventIdParamsSchema,
  listEventsQuerySchema,
  updateEventSchema,
} from '../domain/event-model.js';
import {
  holdHeadersSchema,
  holdSchema,
  listOrdersQuerySchema,
  myOrdersQuerySchema,
  orderIdParamsSchema,
  payBodySchema,
} from '../domain/order-model.js';
import { relevantEventsQuerySchema } from '../domain/relevant-events.js';
import {
  listUsersQuerySchema,
  loginSchema,
  registerSchema,
  setRolesSchema,
  updateMeSchema,
  userIdParamsSchema,
} from '../domain/user-model.js';
import type { RouteId } from '../routes.js';
import {
  analyticsSchema,
  eventPageSchema,
  eventStatsSchema,
  eventViewSchema,
  healthSchema,
  loginTokenSchema,
  nearbyEventPageSchema,
  openApiDocumentSchema,
  orderPageSchema,
  orderViewSchema,
  registeredUserSchema,
  userPageSchema,
  userSchema,
} from './responses.js';

/** Path and query parameters, and headers, are always objects of named values. */
export type ParameterSchema = z.ZodType<unknown, Record<string, unknown>>;

/** The schemas the route's handler passes to `httpHandler`: the very same objects. */
export interface ContractRequest {
  params?: ParameterSchema;
  query?: ParameterSchema;
  body?: z.ZodType;
  /** Request headers the handler reads besides `Authorization`, by lower-case name. */
  headers?: ParameterSchema;
}

/** A request as a client would send it (query and header values are strings on the wire). */
export type RequestExample<R extends ContractRequest> = {
  [K in keyof R]: z.input<NonNullable<R[K]>>;
};

/** Groups of operations, in the order the docs page shows them. */
export const TAGS = {
  Auth: 'Sign up, sign in, sign out',
  Users: 'Profiles and roles',
  Events: 'Events and their ticket types',
  Orders: 'Holds, payments and cancellations',
  Health: 'Service status',
  Docs: 'This contract',
} as const;
export type Tag = keyof typeof TAGS;

export type DomainErrorClass = new (detail: string) => DomainError;

export interface RouteContract<R extends ContractRequest = ContractRequest> {
  tag: Tag;
  summary: string;
  description?: string;
  request: R;
  example: RequestExample<R>;
  success:
    | {
        status: 200 | 201;
        description: string;
        schema: z.ZodType;
        /** Response headers the route sets besides `Content-Type`. */
        headers?: ParameterSchema;
      }
    | { status: 204; description: string };
  /**
   * What the route's own logic can fail with. The builder adds what every route of its
   * kind can meet: VALIDATION_FAILED when it validates input, UNSUPPORTED_MEDIA_TYPE when
   * it takes a body, UNAUTHENTICATED and FORBIDDEN from its `access`, RATE_LIMITED and
   * INTERNAL everywhere.
   */
  errors: readonly DomainErrorClass[];
}

/** Checks `example` against `request` at compile time; the unit test checks refinements too. */
const route = <R extends ContractRequest>(contract: RouteContract<R>): RouteContract => contract;

const EVENT_ID = 'ev_01J9Z3Q4M5N6P7R8S9T0V1W2X3';
const ORDER_ID = 'ord_01J9Z3Q4M5N6P7R8S9T0V1W2X4';
const USER_ID = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f';
const TICKET_TYPE_ID = 'tt_01J9Z3Q4M5N6P7R8S9T0V1W2X5';

/** Every route of the route table: a missing or unknown route id does not compile. */
export const contract: Record<RouteId, RouteContract> = {
  Health: route({
    tag: 'Health',
    summary: 'Liveness and deployed version',
    request: {},
    example: {},
    success: { status: 200, description: 'The service is up', schema: healthSchema },
    errors: [],
  }),
  Register: route({
    tag: 'Auth',
    summary: 'Sign up; every new user is a customer',
    request: { body: registerSchema },
    example: { body: { email: 'ada@example.com', password: 'correct horse battery', name: 'Ada' } },
    success: { status: 201, description: 'Registered', schema: registeredUserSchema },
    errors: [EmailTaken, ConcurrentModification],
  }),
  Login: route({
    tag: 'Auth',
    summary: 'Exchange email and password for an access token',
    request: { body: loginSchema },
    example: { body: { email: 'ada@example.com', password: 'correct horse battery' } },
    success: {
      status: 200,
      description: 'Signed in',
      schema: loginTokenSchema,
      headers: z.object({
        'Cache-Control': z
          .literal('no-store')
          .meta({ description: 'The token must not be kept by any cache.' }),
      }),
    },
    // Wrong email or password, without saying which.
    errors: [Unauthenticated],
  }),
  Logout: route({
    tag: 'Auth',
    summary: 'Revoke the presented access token',
    request: {},
    example: {},
    success: { status: 204, description: 'The token is rejected from now on' },
    errors: [],
  }),
  GetMe: route({
    tag: 'Users',
    summary: "The caller's profile",
    request: {},
    example: {},
    success: { status: 200, description: 'The caller', schema: userSchema },
    errors: [],
  }),
  UpdateMe: route({
    tag: 'Users',
    summary: "Change the caller's name or location",
    description: '`location: null` removes the location.',
    request: { body: updateMeSchema },
    example: { body: { name: 'Ada L.', location: { latitude: 52.52, longitude: 13.405 } } },
    success: { status: 200, description: 'The updated profile', schema: userSchema },
    errors: [],
  }),
  ListUsers: route({
    tag: 'Users',
    summary: 'All users, oldest first',
    request: { query: listUsersQuerySchema },
    example: { query: { limit: 20 } },
    success: { status: 200, description: 'One page of users', schema: userPageSchema },
    errors: [],
  }),
  GetUser: route({
    tag: 'Users',
    summary: 'A user, for the user themself or an admin',
    description: 'Anyone else gets 404, as if the user did not exist.',
    request: { params: userIdParamsSchema },
    example: { params: { userId: USER_ID } },
    success: { status: 200, description: 'The user', schema: userSchema },
    errors: [NotFound],
  }),
  SetUserRoles: route({
    tag: 'Users',
    summary: "Replace a user's roles",
    description: '`customer` is always kept. An admin cannot remove their own admin role.',
    request: { params: userIdParamsSchema, body: setRolesSchema },
    example: { params: { userId: USER_ID }, body: { roles: ['organizer'] } },
    success: { status: 200, description: 'The user with the new roles', schema: userSchema },
    errors: [NotFound],
  }),
  DeleteUser: route({
    tag: 'Users',
    summary: 'Delete a user and their credentials',
    description: 'An admin cannot delete themself.',
    request: { params: userIdParamsSchema },
    example: { params: { userId: USER_ID } },
    success: { status: 204, description: 'Deleted' },
    errors: [NotFound],
  }),
  CreateEvent: route({
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
  }),
  ListEvents: route({
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
    },
    errors: [Unauthenticated, Forbidden],
  }),
  GetEvent: route({
    tag: 'Events',
    summary: 'An event with live availability',
    description: 'A draft is 404 to anyone but its organizer and admins.',
    request: { params: eventIdParamsSchema },
    example: { params: { eventId: EVENT_ID } },
    success: { status: 200, description: 'The event', schema: eventViewSchema },
    errors: [NotFound],
  }),
  UpdateEvent: route({
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
  }),
  DeleteEvent: route({
    tag: 'Events',
    summary: 'Delete an event that has no orders',
    request: { params: eventIdParamsSchema },
    example: { params: { eventId: EVENT_ID } },
    success: { status: 204, description: 'Deleted' },
    errors: [NotFound, EventHasOrders, ConcurrentModification],
  }),
  PublishEvent: route({
    tag: 'Events',
    summary: 'Put a draft on sale',
    request: { params: eventIdParamsSchema },
    example: { params: { eventId: EVENT_ID } },
    success: { status: 200, description: 'The event, now PUBLISHED', schema: eventViewSchema },
    errors: [NotFound, EventStateConflict, ConcurrentModification],
  }),
  CancelEvent: route({
    tag: 'Events',
    summary: 'Cancel an event',
    description:
      'Releases every held order, refunds every confirmed one, emails each customer. What the request has no time for, the minute sweep finishes; cancelling again answers 200 and resumes it.',
    request: { params: eventIdParamsSchema },
    example: { params: { eventId: EVENT_ID } },
    success: { status: 200, description: 'The event, now CANCELLED', schema: eventViewSchema },
    errors: [NotFound, ConcurrentModification],
  }),
  HoldTickets: route({
    tag: 'Orders',
    summary: 'Hold tickets: a HELD order that expires after the event’s `holdSeconds`',
    description:
      'Inventory is taken atomically; it is never oversold. With an `Idempotency-Key`, a ' +
      'repeat of the same request returns the first response again.',
    request: { params: eventIdParamsSchema, body: holdSchema, headers: holdHeadersSchema },
    example: {
      params: { eventId: EVENT_ID },
      body: { items: [{ ticketTypeId: TICKET_TYPE_ID, quantity: 2 }] },
      headers: { 'idempotency-key': '6f1c2a4e-hold-1' },
    },
    success: { status: 201, description: 'The HELD order', schema: orderViewSchema },
    errors: [
      NotFound,
      LimitExceeded,
      SoldOut,
      EventNotOnSale,
      ConcurrentModification,
      IdempotencyInProgress,
      IdempotencyKeyReused,
    ],
  }),
  ListOrders: route({
    tag: 'Orders',
    summary: "An event's orders, or a customer's across events, newest first",
    description:
      "Give `eventId`, `customerEmail` or both. With `eventId`: that event's orders, for its " +
      "organizer or an admin. With `customerEmail` alone: that customer's orders across " +
      'events, all of them for an admin, only those on their own events for an organizer; ' +
      'an unknown email gives an empty page. There is no listing of all orders at once.',
    request: { query: listOrdersQuerySchema },
    example: { query: { eventId: EVENT_ID, status: 'CONFIRMED', limit: 50 } },
    success: { status: 200, description: 'One page of orders', schema: orderPageSchema },
    errors: [NotFound],
  }),
  ListMyOrders: route({
    tag: 'Orders',
    summary: "The caller's orders, newest first",
    request: { query: myOrdersQuerySchema },
    example: { query: { status: 'HELD' } },
    success: { status: 200, description: 'One page of orders', schema: orderPageSchema },
    errors: [],
  }),
  GetOrder: route({
    tag: 'Orders',
    summary: 'An order, for its customer, the event’s organizer or an admin',
    description: 'Anyone else gets 404.',
    request: { params: orderIdParamsSchema },
    example: { params: { orderId: ORDER_ID } },
    success: { status: 200, description: 'The order', schema: orderViewSchema },
    errors: [NotFound],
  }),
  PayOrder: route({
    tag: 'Orders',
    summary: 'Pay a HELD order (its customer only)',
    description:
      'Paying a CONFIRMED order again returns it, with no second charge. A hold on a cancelled ' +
      'event is not payable (409), even before the cancellation has released it. Test gateway ' +
      'tokens: `tok_visa` succeeds, `tok_declined` is declined.',
    request: { params: orderIdParamsSchema, body: payBodySchema },
    example: { params: { orderId: ORDER_ID }, body: { paymentToken: 'tok_visa' } },
    success: { status: 200, description: 'The CONFIRMED order', schema: orderViewSchema },
    errors: [NotFound, Forbidden, PaymentDeclined, OrderNotPayable, ConcurrentModification],
  }),
  CancelOrder: route({
    tag: 'Orders',
    summary: 'Cancel an order: HELD → CANCELLED, CONFIRMED → REFUNDED',
    description:
      'The tickets go back on sale. An order already over is returned as it is. For the ' +
      'customer who holds it and admins; the event’s organizer sees the order but gets 403 ' +
      '(they cancel the whole event instead), anyone else 404. A paid order is refunded ' +
      'once however many cancels race: while one refund is under way, the others get 409 ' +
      '`CONCURRENT_MODIFICATION` and the order reads as CONFIRMED until the money is back.',
    request: { params: orderIdParamsSchema },
    example: { params: { orderId: ORDER_ID } },
    success: { status: 200, description: 'The order', schema: orderViewSchema },
    errors: [Forbidden, NotFound, ConcurrentModification],
  }),
  RelevantEvents: route({
    tag: 'Users',
    summary: "Upcoming published events near a user's location, nearest first",
    description:
      'For the user themself or an admin; anyone else gets 404. Needs a location on the ' +
      'user (`PATCH /v1/me`).',
    request: { params: userIdParamsSchema, query: relevantEventsQuerySchema },
    example: { params: { userId: USER_ID }, query: { radiusKm: 50, limit: 20 } },
    success: {
      status: 200,
      description: 'One page of events with their distance',
      schema: nearbyEventPageSchema,
    },
    errors: [NotFound, LocationRequired],
  }),
  EventStats: route({
    tag: 'Events',
    summary: 'Sales figures of an event (its organizer or an admin)',
    description:
      'Counters as holds are taken against them: a hold past `expiresAt` keeps its tickets ' +
      '`held` until the expiry job releases them, though its order already counts as expired.',
    request: { params: eventIdParamsSchema, query: eventStatsQuerySchema },
    example: { params: { eventId: EVENT_ID }, query: {} },
    success: { status: 200, description: 'The figures', schema: eventStatsSchema },
    errors: [NotFound],
  }),
  AdminAnalytics: route({
    tag: 'Events',
    summary: 'Sales across all events over a window of UTC days',
    description:
      'Counts the orders created in the window that have left HELD. `to` defaults to today, ' +
      '`from` to 30 days before; a window spans at most 366 days.',
    request: { query: analyticsQuerySchema },
    example: { query: { from: '2027-03-01', to: '2027-03-31' } },
    success: { status: 200, description: 'The figures', schema: analyticsSchema },
    errors: [],
  }),
  OpenApi: route({
    tag: 'Docs',
    summary: 'This OpenAPI document',
    request: {},
    example: {},
    success: { status: 200, description: 'OpenAPI 3.1', schema: openApiDocumentSchema },
    errors: [],
  }),
};
