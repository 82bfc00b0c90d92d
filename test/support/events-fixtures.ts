import { randomUUID } from 'node:crypto';
import type { EventState, TicketTypeState } from '../../shared/domain/event-model.js';
import type { Principal } from '../../shared/domain/principal.js';
import type { AuthorizerContext } from '../../shared/http/principal.js';

/** A short token unique to this process, for names and ids that must not collide across tests. */
export function uniqueToken(prefix = 't'): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

export type AuthenticatedContext = Extract<AuthorizerContext, { status: 'authenticated' }>;

/** Authorizer contexts, as the Lambda authorizer hands them to handlers. */
function authenticated(userId: string, roles: string): AuthenticatedContext {
  return {
    status: 'authenticated',
    userId,
    email: `${userId}@example.com`,
    name: `Name of ${userId}`,
    roles,
    tokenId: uniqueToken('jti-'),
    tokenExpiresAt: Math.floor(Date.now() / 1000) + 3600,
  };
}

export function organizerContext(userId = uniqueToken('org-')): AuthenticatedContext {
  return authenticated(userId, 'customer,organizer');
}

export function customerContext(userId = uniqueToken('cust-')): AuthenticatedContext {
  return authenticated(userId, 'customer');
}

export function adminContext(userId = uniqueToken('admin-')): AuthenticatedContext {
  return authenticated(userId, 'customer,admin');
}

/** Domain principals for pure tests. */
export const principals = {
  organizer: (userId = 'org-1'): Principal => ({
    userId,
    email: `${userId}@example.com`,
    roles: ['customer', 'organizer'],
  }),
  customer: (userId = 'cust-1'): Principal => ({
    userId,
    email: `${userId}@example.com`,
    roles: ['customer'],
  }),
  admin: (userId = 'admin-1'): Principal => ({
    userId,
    email: `${userId}@example.com`,
    roles: ['customer', 'admin'],
  }),
  anonymous: (): Principal => ({ userId: null, email: null, roles: [] }),
};

/** A valid POST /v1/events body; override any top-level field. */
export function eventBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Test Concert',
    venue: { name: 'Hall', latitude: 52.5, longitude: 13.4 },
    startsAt: '2030-06-01T19:30:00.000Z',
    ticketTypes: [{ name: 'GA', priceCents: 5000, capacity: 100 }],
    ...overrides,
  };
}

export function ticketTypeState(overrides: Partial<TicketTypeState> = {}): TicketTypeState {
  return {
    id: 'tt-ga',
    name: 'GA',
    priceCents: 5000,
    capacity: 100,
    available: 100,
    held: 0,
    sold: 0,
    revenueCents: 0,
    position: 0,
    ...overrides,
  };
}

/** A stored event as the domain sees it. */
export function eventState(overrides: Partial<EventState> = {}): EventState {
  return {
    id: 'ev-1',
    organizerId: 'org-1',
    name: 'Test Concert',
    description: 'A night of tests',
    venue: { name: 'Hall', city: 'Berlin', latitude: 52.5, longitude: 13.4 },
    startsAt: '2030-06-01T19:30:00.000Z',
    endsAt: '2030-06-01T23:00:00.000Z',
    currency: 'USD',
    status: 'DRAFT',
    maxTicketsPerOrder: 10,
    holdSeconds: 600,
    ticketTypes: [ticketTypeState()],
    orderCount: 0,
    resolvedOrders: { confirmed: 0, cancelled: 0, expired: 0, refunded: 0 },
    version: 1,
    createdAt: '2029-01-01T00:00:00.000Z',
    updatedAt: '2029-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Deterministic id source for pure tests. */
export function sequentialIds(prefix = 'id-'): () => string {
  let next = 0;
  return () => `${prefix}${++next}`;
}
