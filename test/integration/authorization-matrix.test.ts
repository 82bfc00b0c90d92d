import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPath } from '../../local/api-event.js';
import type { RunningGateway } from '../../local/gateway.js';
import { routeKeyOf } from '../../shared/api/route-record.js';
import { routes } from '../../shared/routes.js';
import { eventBody } from '../support/events-fixtures.js';
import {
  type Actor,
  type HttpResponse,
  login,
  PROBLEM_JSON,
  registerActor,
  registerAdmin,
  registerOrganizer,
  send,
  startTestGateway,
  uniqueEmail,
} from '../support/http-api.js';

/*
 * Who may call what, for every route of the route table, through the real gateway (and
 * so the real authorizer) with real tokens from the local identity provider.
 *
 * Each cell sends a valid request aimed at resources of the right owner, so its status
 * says what the caller may do and nothing else. Cells of routes that change or delete
 * something get a resource of their own, so no cell depends on another. The gateway's
 * throttles are raised out of the way: this is about authorization, not rate limits.
 */

const ACTORS = [
  'anonymous',
  'customer',
  'otherCustomer',
  'organizer',
  'otherOrganizer',
  'admin',
] as const;
type ActorName = (typeof ACTORS)[number];
type SignedIn = Exclude<ActorName, 'anonymous'>;
type Row = Record<ActorName, number>;

/** A row of the matrix, in the order of ACTORS. */
function row(
  anonymous: number,
  customer: number,
  otherCustomer: number,
  organizer: number,
  otherOrganizer: number,
  admin: number,
): Row {
  return { anonymous, customer, otherCustomer, organizer, otherOrganizer, admin };
}

const CODE_OF_STATUS: Record<number, string> = {
  // Only the verify cell: a refused code is the same 400 for every caller.
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
};

interface World {
  url: string;
  actors: Record<SignedIn, Actor>;
  /** Owned by `organizer`, for the routes that only read. */
  draftEventId: string;
  publishedEventId: string;
  /** A HELD order of `customer` on an event of `organizer`, for the routes that only read. */
  orderId: string;
}

interface CellRequest {
  path: string;
  body?: unknown;
  /** Instead of the actor's own token, e.g. a fresh one for logout. */
  token?: string;
  /** Runs when the cell was refused: the refused request must have changed nothing. */
  unchanged?: () => Promise<void>;
}

interface Scenario {
  name: string;
  /** Builds one cell's request, creating the resources that cell needs for itself. */
  request: (actor: ActorName, world: World) => Promise<CellRequest>;
  expected: Row;
}

const adminGet = (world: World, path: string) =>
  send(world.url, 'GET', path, { token: world.actors.admin.token });

async function freshEvent(world: World, status: 'DRAFT' | 'PUBLISHED'): Promise<string> {
  const token = world.actors.organizer.token;
  const created = await send(world.url, 'POST', '/v1/events', { token, body: eventBody() });
  expect(created.status, created.text).toBe(201);
  const id: string = created.body.id;
  if (status === 'PUBLISHED') {
    const published = await send(world.url, 'POST', `/v1/events/${id}/publish`, { token });
    expect(published.status, published.text).toBe(200);
  }
  return id;
}

/** A cell on an event of its own, with the check that a refusal left it as it was. */
async function onFreshEvent(
  world: World,
  status: 'DRAFT' | 'PUBLISHED',
  path: (eventId: string) => string,
  body?: unknown,
): Promise<CellRequest> {
  const eventId = await freshEvent(world, status);
  return {
    path: path(eventId),
    ...(body !== undefined && { body }),
    unchanged: async () => {
      const event = await adminGet(world, `/v1/events/${eventId}`);
      expect(event.status, event.text).toBe(200);
      expect(event.body).toMatchObject({ status, name: eventBody().name });
    },
  };
}

/** A cell on a newly registered user of its own, checked unchanged after a refusal. */
async function onFreshUser(
  world: World,
  path: (userId: string) => string,
  body?: unknown,
): Promise<CellRequest> {
  const user = await registerUser(world);
  return {
    path: path(user),
    ...(body !== undefined && { body }),
    unchanged: async () => {
      const found = await adminGet(world, `/v1/users/${user}`);
      expect(found.status, found.text).toBe(200);
      expect(found.body.roles).toEqual(['customer']);
    },
  };
}

async function registerUser(world: World): Promise<string> {
  const response = await send(world.url, 'POST', '/v1/auth/register', {
    body: { email: uniqueEmail('target'), password: 'a-long-password', name: 'Target' },
  });
  expect(response.status, response.text).toBe(201);
  return response.body.id as string;
}

/** The capacity of the one ticket type every matrix event is created with. */
const CAPACITY = (eventBody().ticketTypes as { capacity: number }[])[0]?.capacity ?? 0;

/** A HELD order of `customer` (1 ticket) on a published event of `organizer`, both new. */
async function freshOrder(world: World): Promise<{ eventId: string; orderId: string }> {
  const eventId = await freshEvent(world, 'PUBLISHED');
  const ticketTypeId = await firstTicketType(world, eventId);
  const held = await send(world.url, 'POST', `/v1/events/${eventId}/orders`, {
    token: world.actors.customer.token,
    body: { items: [{ ticketTypeId, quantity: 1 }] },
  });
  expect(held.status, held.text).toBe(201);
  return { eventId, orderId: held.body.id as string };
}

async function firstTicketType(world: World, eventId: string): Promise<string> {
  const event = await adminGet(world, `/v1/events/${eventId}`);
  expect(event.status, event.text).toBe(200);
  return event.body.ticketTypes[0].id as string;
}

/** A published event of `organizer` whose only ticket the admin holds: sold out. */
async function freshSoldOutEvent(world: World): Promise<{ eventId: string; ticketTypeId: string }> {
  const token = world.actors.organizer.token;
  const body = eventBody({ ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 1 }] });
  const created = await send(world.url, 'POST', '/v1/events', { token, body });
  expect(created.status, created.text).toBe(201);
  const eventId: string = created.body.id;
  const published = await send(world.url, 'POST', `/v1/events/${eventId}/publish`, { token });
  expect(published.status, published.text).toBe(200);
  const ticketTypeId: string = created.body.ticketTypes[0].id;
  const held = await send(world.url, 'POST', `/v1/events/${eventId}/orders`, {
    token: world.actors.admin.token,
    body: { items: [{ ticketTypeId, quantity: 1 }] },
  });
  expect(held.status, held.text).toBe(201);
  return { eventId, ticketTypeId };
}

/** A cell on a waitlist entry of `customer`'s own, checked still WAITING after a refusal. */
async function onFreshEntry(world: World, path: (entryId: string) => string): Promise<CellRequest> {
  const { eventId, ticketTypeId } = await freshSoldOutEvent(world);
  const joined = await send(world.url, 'POST', `/v1/events/${eventId}/waitlist`, {
    token: world.actors.customer.token,
    body: { ticketTypeId, quantity: 1 },
  });
  expect(joined.status, joined.text).toBe(201);
  const entryId: string = joined.body.id;
  return {
    path: path(entryId),
    unchanged: async () => {
      const mine = await send(world.url, 'GET', '/v1/me/waitlist', {
        token: world.actors.customer.token,
      });
      expect(mine.body.items.find((entry: { id: string }) => entry.id === entryId)).toMatchObject({
        status: 'WAITING',
        position: 1,
      });
    },
  };
}

/** A cell on an order of its own, checked still HELD (and its stock still held) after a refusal. */
async function onFreshOrder(
  world: World,
  path: (orderId: string) => string,
  body?: unknown,
): Promise<CellRequest> {
  const { eventId, orderId } = await freshOrder(world);
  return {
    path: path(orderId),
    ...(body !== undefined && { body }),
    unchanged: async () => {
      const order = await adminGet(world, `/v1/orders/${orderId}`);
      expect(order.status, order.text).toBe(200);
      expect(order.body.status).toBe('HELD');
      const event = await adminGet(world, `/v1/events/${eventId}`);
      expect(event.body.ticketTypes[0].available).toBe(CAPACITY - 1);
    },
  };
}

const simple =
  (path: string | ((world: World) => string), body?: unknown) =>
  async (_actor: ActorName, world: World): Promise<CellRequest> => ({
    path: typeof path === 'string' ? path : path(world),
    ...(body !== undefined && { body }),
  });

/**
 * The matrix: for each route key, one or more scenarios, each with the status every
 * actor gets. Columns: anonymous, customer, otherCustomer, organizer, otherOrganizer, admin.
 * `organizer` owns the events and `customer` is the user the user routes point at.
 */
const matrix: Record<string, Scenario[]> = {
  'GET /health': [
    { name: 'health', request: simple('/health'), expected: row(200, 200, 200, 200, 200, 200) },
  ],
  'GET /health/ready': [
    {
      name: 'readiness',
      request: simple('/health/ready'),
      expected: row(200, 200, 200, 200, 200, 200),
    },
  ],
  'GET /openapi.json': [
    {
      name: 'the API document',
      request: simple('/openapi.json'),
      expected: row(200, 200, 200, 200, 200, 200),
    },
  ],
  'POST /v1/auth/register': [
    {
      name: 'a new email per cell',
      request: async () => ({
        path: '/v1/auth/register',
        body: { email: uniqueEmail('matrix'), password: 'a-long-password', name: 'New' },
      }),
      expected: row(201, 201, 201, 201, 201, 201),
    },
  ],
  'POST /v1/auth/login': [
    {
      name: "the customer's credentials",
      request: async (_actor, world) => ({
        path: '/v1/auth/login',
        body: { email: world.actors.customer.email, password: world.actors.customer.password },
      }),
      expected: row(200, 200, 200, 200, 200, 200),
    },
  ],
  'POST /v1/auth/logout': [
    {
      name: 'a fresh token per cell',
      request: async (actor, world) => {
        if (actor === 'anonymous') return { path: '/v1/auth/logout' };
        const { email, password } = world.actors[actor];
        return { path: '/v1/auth/logout', token: await login(world.url, email, password) };
      },
      expected: row(401, 204, 204, 204, 204, 204),
    },
  ],
  'POST /v1/auth/verify-email': [
    {
      name: 'a code for an address nobody registered',
      request: async () => ({
        path: '/v1/auth/verify-email',
        body: { email: uniqueEmail('matrix-verify'), code: '000000' },
      }),
      expected: row(400, 400, 400, 400, 400, 400),
    },
  ],
  'POST /v1/auth/verify-email/resend': [
    {
      name: 'an address nobody registered: the same 202',
      request: async () => ({
        path: '/v1/auth/verify-email/resend',
        body: { email: uniqueEmail('matrix-resend') },
      }),
      expected: row(202, 202, 202, 202, 202, 202),
    },
  ],
  'GET /v1/me': [
    { name: 'own profile', request: simple('/v1/me'), expected: row(401, 200, 200, 200, 200, 200) },
  ],
  'PATCH /v1/me': [
    {
      name: 'own name',
      request: async (actor) => ({ path: '/v1/me', body: { name: `Renamed ${actor}` } }),
      expected: row(401, 200, 200, 200, 200, 200),
    },
  ],
  'GET /v1/users': [
    {
      name: 'all users',
      request: simple('/v1/users?limit=1'),
      expected: row(401, 403, 403, 403, 403, 200),
    },
  ],
  'GET /v1/users/{userId}': [
    {
      name: "the customer's profile",
      request: simple((world) => `/v1/users/${world.actors.customer.id}`),
      expected: row(401, 200, 404, 404, 404, 200),
    },
  ],
  'PUT /v1/users/{userId}/roles': [
    {
      name: 'grant organizer to a user of its own',
      request: (_actor, world) =>
        onFreshUser(world, (id) => `/v1/users/${id}/roles`, { roles: ['organizer'] }),
      expected: row(401, 403, 403, 403, 403, 200),
    },
    {
      name: 'grant oneself admin',
      request: async (actor, world) => {
        const body = { roles: ['organizer', 'admin'] };
        if (actor === 'anonymous') return onFreshUser(world, (id) => `/v1/users/${id}/roles`, body);
        const self = world.actors[actor];
        return {
          path: `/v1/users/${self.id}/roles`,
          body,
          unchanged: async () => {
            const me = await send(world.url, 'GET', '/v1/me', { token: self.token });
            expect(me.body.roles).not.toContain('admin');
          },
        };
      },
      // The admin's own roles stay as they were: bootstrapAdmin made it organizer and admin.
      expected: row(401, 403, 403, 403, 403, 200),
    },
  ],
  'DELETE /v1/users/{userId}': [
    {
      name: 'a user of its own',
      request: (_actor, world) => onFreshUser(world, (id) => `/v1/users/${id}`),
      expected: row(401, 403, 403, 403, 403, 204),
    },
  ],
  'POST /v1/events': [
    {
      name: 'a valid event',
      request: simple('/v1/events', eventBody()),
      expected: row(401, 403, 403, 201, 201, 201),
    },
  ],
  'GET /v1/events': [
    {
      name: 'published events',
      request: simple('/v1/events?limit=1'),
      expected: row(200, 200, 200, 200, 200, 200),
    },
    {
      name: "the organizer's drafts",
      request: simple(
        (world) => `/v1/events?status=DRAFT&organizerId=${world.actors.organizer.id}`,
      ),
      // Anonymous must sign in (401); signed-in non-owners are refused (403).
      expected: row(401, 403, 403, 200, 403, 200),
    },
  ],
  'GET /v1/events/{eventId}': [
    {
      name: 'a draft',
      request: simple((world) => `/v1/events/${world.draftEventId}`),
      expected: row(404, 404, 404, 200, 404, 200),
    },
    {
      name: 'a published event',
      request: simple((world) => `/v1/events/${world.publishedEventId}`),
      expected: row(200, 200, 200, 200, 200, 200),
    },
  ],
  'GET /v1/events/{eventId}/seats': [
    {
      name: "a draft's seat map",
      request: simple((world) => `/v1/events/${world.draftEventId}/seats`),
      expected: row(404, 404, 404, 200, 404, 200),
    },
    {
      name: "a published event's seat map",
      request: simple((world) => `/v1/events/${world.publishedEventId}/seats`),
      expected: row(200, 200, 200, 200, 200, 200),
    },
  ],
  'PATCH /v1/events/{eventId}': [
    {
      name: 'a draft of its own',
      request: (_actor, world) =>
        onFreshEvent(world, 'DRAFT', (id) => `/v1/events/${id}`, { name: 'Renamed' }),
      expected: row(401, 403, 403, 200, 404, 200),
    },
    {
      name: 'a published event of its own',
      request: (_actor, world) =>
        onFreshEvent(world, 'PUBLISHED', (id) => `/v1/events/${id}`, { name: 'Renamed' }),
      expected: row(401, 403, 403, 200, 403, 200),
    },
  ],
  'DELETE /v1/events/{eventId}': [
    {
      name: 'a draft of its own',
      request: (_actor, world) => onFreshEvent(world, 'DRAFT', (id) => `/v1/events/${id}`),
      expected: row(401, 403, 403, 204, 404, 204),
    },
    {
      name: 'a published event of its own',
      request: (_actor, world) => onFreshEvent(world, 'PUBLISHED', (id) => `/v1/events/${id}`),
      expected: row(401, 403, 403, 204, 403, 204),
    },
  ],
  'POST /v1/events/{eventId}/publish': [
    {
      name: 'a draft of its own',
      request: (_actor, world) => onFreshEvent(world, 'DRAFT', (id) => `/v1/events/${id}/publish`),
      expected: row(401, 403, 403, 200, 404, 200),
    },
    {
      name: 'a published event of its own',
      request: (_actor, world) =>
        onFreshEvent(world, 'PUBLISHED', (id) => `/v1/events/${id}/publish`),
      expected: row(401, 403, 403, 200, 403, 200),
    },
  ],
  'POST /v1/events/{eventId}/cancel': [
    {
      name: 'a draft of its own',
      request: (_actor, world) => onFreshEvent(world, 'DRAFT', (id) => `/v1/events/${id}/cancel`),
      expected: row(401, 403, 403, 200, 404, 200),
    },
    {
      name: 'a published event of its own',
      request: (_actor, world) =>
        onFreshEvent(world, 'PUBLISHED', (id) => `/v1/events/${id}/cancel`),
      expected: row(401, 403, 403, 200, 403, 200),
    },
  ],
  'POST /v1/events/{eventId}/orders': [
    {
      name: 'a hold on a published event',
      request: async (_actor, world) => {
        const cell = await onFreshEvent(world, 'PUBLISHED', (id) => `/v1/events/${id}/orders`);
        const eventId = cell.path.split('/')[3] ?? '';
        const ticketTypeId = await firstTicketType(world, eventId);
        return {
          ...cell,
          body: { items: [{ ticketTypeId, quantity: 1 }] },
          unchanged: async () => {
            await cell.unchanged?.();
            const event = await adminGet(world, `/v1/events/${eventId}`);
            expect(event.body.ticketTypes[0].available).toBe(CAPACITY);
          },
        };
      },
      // Organizers and admins are customers too.
      expected: row(401, 201, 201, 201, 201, 201),
    },
  ],
  'GET /v1/orders': [
    {
      name: "the orders of the organizer's published event",
      request: simple((world) => `/v1/orders?eventId=${world.publishedEventId}`),
      // The route needs the organizer role (403 for customers); another organizer is not its organizer.
      expected: row(401, 403, 403, 200, 403, 200),
    },
    {
      name: "the orders of the organizer's draft",
      request: simple((world) => `/v1/orders?eventId=${world.draftEventId}`),
      // A draft does not exist for another organizer.
      expected: row(401, 403, 403, 200, 404, 200),
    },
    {
      name: "the customer's orders by email, across events",
      request: simple(
        (world) => `/v1/orders?customerEmail=${encodeURIComponent(world.actors.customer.email)}`,
      ),
      // Another organizer is answered too, with only the orders on its own events: none.
      expected: row(401, 403, 403, 200, 200, 200),
    },
  ],
  'GET /v1/me/orders': [
    {
      name: 'own orders',
      request: simple('/v1/me/orders'),
      expected: row(401, 200, 200, 200, 200, 200),
    },
  ],
  'GET /v1/orders/{orderId}': [
    {
      name: "the customer's order",
      request: simple((world) => `/v1/orders/${world.orderId}`),
      expected: row(401, 200, 404, 200, 404, 200),
    },
  ],
  'POST /v1/orders/{orderId}/pay': [
    {
      name: "a hold of the customer's, of its own",
      request: (_actor, world) =>
        onFreshOrder(world, (id) => `/v1/orders/${id}/pay`, { paymentToken: 'tok_visa' }),
      // Only the customer pays: the organizer and admins see the order but may not pay it.
      expected: row(401, 200, 404, 403, 404, 403),
    },
  ],
  'POST /v1/orders/{orderId}/cancel': [
    {
      name: "a hold of the customer's, of its own",
      request: (_actor, world) => onFreshOrder(world, (id) => `/v1/orders/${id}/cancel`),
      // The customer and admins: the organizer sees the order but cancels only the event.
      expected: row(401, 200, 404, 403, 404, 200),
    },
  ],
  'POST /v1/events/{eventId}/waitlist': [
    {
      name: 'a sold-out type of a published event',
      request: async (_actor, world) => {
        const { eventId, ticketTypeId } = await freshSoldOutEvent(world);
        return {
          path: `/v1/events/${eventId}/waitlist`,
          body: { ticketTypeId, quantity: 1 },
          unchanged: async () => {
            const event = await adminGet(world, `/v1/events/${eventId}`);
            expect(event.body.ticketTypes[0].available).toBe(0);
          },
        };
      },
      // Organizers and admins are customers too.
      expected: row(401, 201, 201, 201, 201, 201),
    },
  ],
  'GET /v1/me/waitlist': [
    {
      name: 'own entries',
      request: simple('/v1/me/waitlist'),
      expected: row(401, 200, 200, 200, 200, 200),
    },
  ],
  'DELETE /v1/waitlist/{entryId}': [
    {
      name: "the customer's entry, of its own",
      request: (_actor, world) => onFreshEntry(world, (id) => `/v1/waitlist/${id}`),
      // The owner and admins; for anyone else the entry does not exist, organizer included.
      expected: row(401, 204, 404, 404, 404, 204),
    },
  ],
  'POST /graphql': [
    {
      name: 'a query of a published event (each field checks as REST; see the GraphQL twin below)',
      request: simple(() => '/graphql', { query: '{ events(limit: 1) { items { id } } }' }),
      expected: row(200, 200, 200, 200, 200, 200),
    },
  ],
  'GET /v1/events/{eventId}/stats': [
    {
      name: "the organizer's draft",
      request: simple((world) => `/v1/events/${world.draftEventId}/stats`),
      // Like changing the event: a draft does not exist for another organizer.
      expected: row(401, 403, 403, 200, 404, 200),
    },
    {
      name: "the organizer's published event",
      request: simple((world) => `/v1/events/${world.publishedEventId}/stats`),
      expected: row(401, 403, 403, 200, 403, 200),
    },
  ],
  'GET /v1/admin/analytics': [
    {
      name: 'the last 30 days',
      request: simple('/v1/admin/analytics'),
      expected: row(401, 403, 403, 403, 403, 200),
    },
  ],
  'GET /v1/users/{userId}/relevant-events': [
    {
      name: "the customer's, who has a location",
      request: async (_actor, world) => {
        const located = await send(world.url, 'PATCH', '/v1/me', {
          token: world.actors.customer.token,
          body: { location: { latitude: 48.8566, longitude: 2.3522 } },
        });
        expect(located.status, located.text).toBe(200);
        return { path: `/v1/users/${world.actors.customer.id}/relevant-events` };
      },
      // As GET /v1/users/{userId}: another user's list does not exist for the caller.
      expected: row(401, 200, 404, 404, 404, 200),
    },
  ],
  'GET /v1/admin/audit': [
    {
      name: "an order's history",
      request: simple((world) => `/v1/admin/audit?entityId=${world.orderId}`),
      expected: row(401, 403, 403, 403, 403, 200),
    },
    {
      name: "the customer's changes",
      request: simple((world) => `/v1/admin/audit?actorId=${world.actors.customer.id}`),
      expected: row(401, 403, 403, 403, 403, 200),
    },
  ],
};

/** The actors, with the shared resources the read-only cells point at. */
async function worldOn(url: string): Promise<World> {
  const admin = await registerAdmin(url);
  const [customer, otherCustomer, organizer, otherOrganizer] = await Promise.all([
    registerActor(url, 'customer'),
    registerActor(url, 'customer'),
    registerOrganizer(url, admin),
    registerOrganizer(url, admin),
  ]);
  const actors = { customer, otherCustomer, organizer, otherOrganizer, admin };
  const partial = { url, actors, draftEventId: '', publishedEventId: '', orderId: '' };
  const [draftEventId, publishedEventId, { orderId }] = await Promise.all([
    freshEvent(partial, 'DRAFT'),
    freshEvent(partial, 'PUBLISHED'),
    freshOrder(partial),
  ]);
  return { ...partial, draftEventId, publishedEventId, orderId };
}

describe('authorization matrix', () => {
  let gateway: RunningGateway;
  let world: World;

  beforeAll(async () => {
    gateway = await startTestGateway();
    world = await worldOn(gateway.url);
  });
  afterAll(() => gateway?.close());

  it('has an entry for every route of the route table, and none for a route it lacks', () => {
    const routeKeys = routes.map(routeKeyOf).sort();
    expect(Object.keys(matrix).sort()).toEqual(routeKeys);
    for (const scenarios of Object.values(matrix)) expect(scenarios.length).toBeGreaterThan(0);
  });

  for (const [routeKey, scenarios] of Object.entries(matrix)) {
    const [method = '', template = ''] = routeKey.split(' ');
    for (const scenario of scenarios) {
      it(`${routeKey} — ${scenario.name}`, async () => {
        // Every actor's cell at once; each built its own resources, so order does not matter.
        const cells = await Promise.all(
          ACTORS.map(async (actor) => {
            const request = await scenario.request(actor, world);
            // The cell must call the route it stands for.
            expect(matchPath(template, request.path.split('?')[0] ?? '')).not.toBeNull();
            const token =
              request.token ?? (actor === 'anonymous' ? undefined : world.actors[actor].token);
            const response = await send(world.url, method, request.path, {
              ...(token !== undefined && { token }),
              ...(request.body !== undefined && { body: request.body }),
            });
            return { actor, request, response };
          }),
        );

        // The whole row at once, so a failure shows every cell that is off.
        const actual = Object.fromEntries(cells.map((cell) => [cell.actor, cell.response.status]));
        expect(actual, `${routeKey}, ${scenario.name}`).toEqual(scenario.expected);

        for (const { actor, request, response } of cells) {
          if (response.status < 400) continue;
          expectRefusal(response, `${actor}: ${method} ${request.path}`);
          await request.unchanged?.();
        }
      });
    }
  }
});

function expectRefusal(response: HttpResponse, cell: string): void {
  expect(response.headers.get('content-type'), cell).toBe(PROBLEM_JSON);
  expect(response.body, cell).toMatchObject({
    status: response.status,
    code: CODE_OF_STATUS[response.status],
  });
}

/*
 * The same cells through GraphQL. Each cell sends the REST request and its GraphQL
 * equivalent as the same actor, on resources of its own where it changes something, and
 * expects GraphQL to refuse exactly what REST refuses: 401 → UNAUTHENTICATED, 403 →
 * FORBIDDEN, 404 → null for a single object (NOT_FOUND for a list); an allowed REST call
 * is GraphQL data. One deliberate difference, from SPEC: anonymous `me` is null, not 401.
 */
interface TwinCell {
  rest: { method: string; path: string; body?: unknown };
  graphql: { query: string; variables?: Record<string, unknown> };
  /** The field the query asks for, and whether it is a single object (null on 404). */
  field: string;
  single: boolean;
}

/** A cell that reads one resource: a REST GET and the GraphQL query of it by `$id`. */
function readTwin(
  name: string,
  restPath: (world: World) => string,
  query: string,
  id: (world: World) => string,
  field: string,
  single: boolean,
) {
  return {
    name,
    cell: async (_actor: ActorName, world: World): Promise<TwinCell> => ({
      rest: { method: 'GET', path: restPath(world) },
      graphql: { query, variables: { id: id(world) } },
      field,
      single,
    }),
  };
}

const ORDERS_OF_EVENT = 'query ($id: ID) { orders(eventId: $id) { items { id } } }';

const twins: {
  name: string;
  cell: (actor: ActorName, world: World) => Promise<TwinCell>;
}[] = [
  readTwin(
    "GET /v1/events/{id} ~ event(id): the organizer's draft",
    (world) => `/v1/events/${world.draftEventId}`,
    'query ($id: ID!) { event(id: $id) { id } }',
    (world) => world.draftEventId,
    'event',
    true,
  ),
  readTwin(
    'GET /v1/orders?eventId ~ orders(eventId): the published event',
    (world) => `/v1/orders?eventId=${world.publishedEventId}`,
    ORDERS_OF_EVENT,
    (world) => world.publishedEventId,
    'orders',
    false,
  ),
  readTwin(
    'GET /v1/orders?eventId ~ orders(eventId): the draft',
    (world) => `/v1/orders?eventId=${world.draftEventId}`,
    ORDERS_OF_EVENT,
    (world) => world.draftEventId,
    'orders',
    false,
  ),
  readTwin(
    "GET /v1/orders/{id} ~ order(id): the customer's order",
    (world) => `/v1/orders/${world.orderId}`,
    'query ($id: ID!) { order(id: $id) { id } }',
    (world) => world.orderId,
    'order',
    true,
  ),
  {
    name: 'POST /v1/events/{id}/orders ~ createOrder: a hold on a published event',
    cell: async (_actor, world) => {
      // One event per side, so the REST hold does not change what GraphQL meets.
      const [restEvent, graphqlEvent] = await Promise.all([
        freshEvent(world, 'PUBLISHED'),
        freshEvent(world, 'PUBLISHED'),
      ]);
      const [restType, graphqlType] = await Promise.all([
        firstTicketType(world, restEvent),
        firstTicketType(world, graphqlEvent),
      ]);
      return {
        rest: {
          method: 'POST',
          path: `/v1/events/${restEvent}/orders`,
          body: { items: [{ ticketTypeId: restType, quantity: 1 }] },
        },
        graphql: {
          query:
            'mutation ($e: ID!, $t: ID!) { createOrder(eventId: $e, items: [{ ticketTypeId: $t, quantity: 1 }]) { id } }',
          variables: { e: graphqlEvent, t: graphqlType },
        },
        field: 'createOrder',
        single: false,
      };
    },
  },
  {
    name: 'GET /v1/me ~ me',
    cell: async () => ({
      rest: { method: 'GET', path: '/v1/me' },
      graphql: { query: '{ me { id } }' },
      field: 'me',
      single: true,
    }),
  },
];

const GRAPHQL_CODE: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
};

/** What GraphQL must answer where REST answered `status`: data, null, or the error code. */
function graphqlOutcome(status: number, cell: TwinCell, anonymous: boolean): string {
  if (status < 400) return 'data';
  if (cell.field === 'me' && anonymous && status === 401) return 'null';
  if (status === 404 && cell.single) return 'null';
  return GRAPHQL_CODE[status] ?? `status ${status}`;
}

describe('authorization matrix through GraphQL', () => {
  let gateway: RunningGateway;
  let world: World;

  beforeAll(async () => {
    gateway = await startTestGateway();
    world = await worldOn(gateway.url);
  });
  afterAll(() => gateway?.close());

  for (const twin of twins) {
    it(twin.name, async () => {
      const outcomes = await Promise.all(
        ACTORS.map(async (actor) => {
          const cell = await twin.cell(actor, world);
          const token = actor === 'anonymous' ? undefined : world.actors[actor].token;
          const auth = token === undefined ? {} : { token };
          const [rest, graphql] = await Promise.all([
            send(world.url, cell.rest.method, cell.rest.path, {
              ...auth,
              ...(cell.rest.body !== undefined && { body: cell.rest.body }),
            }),
            send(world.url, 'POST', '/graphql', { ...auth, body: cell.graphql }),
          ]);
          const body = graphql.body as {
            data?: Record<string, unknown> | null;
            errors?: { extensions: { code: string } }[];
          };
          const value = body.data?.[cell.field];
          const got = body.errors?.length
            ? (body.errors[0]?.extensions.code ?? 'error')
            : value === null
              ? 'null'
              : 'data';
          return {
            actor,
            expected: graphqlOutcome(rest.status, cell, actor === 'anonymous'),
            got,
          };
        }),
      );
      const by = (key: 'expected' | 'got') =>
        Object.fromEntries(outcomes.map((outcome) => [outcome.actor, outcome[key]]));
      expect(by('got')).toEqual(by('expected'));
    });
  }
});
