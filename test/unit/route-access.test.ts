import { describe, expect, it } from 'vitest';
import { routeKeyOf } from '../../shared/api/route-record.js';
import { Forbidden, Unauthenticated } from '../../shared/domain/errors.js';
import type { Principal } from '../../shared/domain/principal.js';
import { assertRouteAccess } from '../../shared/http/access.js';
import { routes } from '../../shared/routes.js';
import { principals } from '../support/events-fixtures.js';

/**
 * Who may call each route at all, pinned here rather than read from the route table, so
 * that loosening a route's access in `shared/routes.ts` fails this test even where the
 * domain's own check still refuses the caller (and so the authorization matrix, which
 * sees status codes only, stays green). Keyed by `METHOD /path`:
 * - `public`: anyone, signed in or not;
 * - `signed-in`: any signed-in user (every user is a customer);
 * - `organizer`: organizers and admins;
 * - `admin`: admins only.
 */
const PINNED_ACCESS: Readonly<Record<string, 'public' | 'signed-in' | 'organizer' | 'admin'>> = {
  'GET /health': 'public',
  'GET /health/ready': 'public',
  'POST /v1/auth/register': 'public',
  'POST /v1/auth/login': 'public',
  'POST /v1/auth/logout': 'signed-in',
  'POST /v1/auth/verify-email': 'public',
  'POST /v1/auth/verify-email/resend': 'public',
  'GET /v1/me': 'signed-in',
  'PATCH /v1/me': 'signed-in',
  'GET /v1/users': 'admin',
  'GET /v1/users/{userId}': 'signed-in',
  'PUT /v1/users/{userId}/roles': 'admin',
  'DELETE /v1/users/{userId}': 'admin',
  'POST /v1/events': 'organizer',
  'GET /v1/events': 'public',
  'GET /v1/events/{eventId}': 'public',
  'GET /v1/events/{eventId}/seats': 'public',
  'PATCH /v1/events/{eventId}': 'organizer',
  'DELETE /v1/events/{eventId}': 'organizer',
  'POST /v1/events/{eventId}/publish': 'organizer',
  'POST /v1/events/{eventId}/cancel': 'organizer',
  'POST /v1/events/{eventId}/orders': 'signed-in',
  'GET /v1/orders': 'organizer',
  'GET /v1/me/orders': 'signed-in',
  'POST /v1/events/{eventId}/waitlist': 'signed-in',
  'GET /v1/me/waitlist': 'signed-in',
  'DELETE /v1/waitlist/{entryId}': 'signed-in',
  // Each field checks access as its REST route does.
  'POST /graphql': 'public',
  'GET /v1/orders/{orderId}': 'signed-in',
  'POST /v1/orders/{orderId}/pay': 'signed-in',
  'POST /v1/orders/{orderId}/cancel': 'signed-in',
  'GET /openapi.json': 'public',
  'GET /v1/events/{eventId}/stats': 'organizer',
  'GET /v1/admin/analytics': 'admin',
  'GET /v1/users/{userId}/relevant-events': 'signed-in',
  'GET /v1/admin/audit': 'admin',
};

type Caller = 'anonymous' | 'customer' | 'organizer' | 'admin';

const CALLERS: Readonly<Record<Caller, Principal>> = {
  anonymous: principals.anonymous(),
  customer: principals.customer(),
  organizer: principals.organizer(),
  admin: principals.admin(),
};

/** What each pinned access answers each caller: let through, 401 or 403. */
const EXPECTED: Readonly<
  Record<(typeof PINNED_ACCESS)[string], Record<Caller, 'allowed' | 401 | 403>>
> = {
  public: { anonymous: 'allowed', customer: 'allowed', organizer: 'allowed', admin: 'allowed' },
  'signed-in': { anonymous: 401, customer: 'allowed', organizer: 'allowed', admin: 'allowed' },
  organizer: { anonymous: 401, customer: 403, organizer: 'allowed', admin: 'allowed' },
  admin: { anonymous: 401, customer: 403, organizer: 403, admin: 'allowed' },
};

function outcomeOf(routeKey: string, caller: Principal): 'allowed' | 401 | 403 | 'other' {
  const route = routes.find((candidate) => routeKeyOf(candidate) === routeKey);
  if (!route) throw new Error(`no route ${routeKey} in the route table`);
  try {
    assertRouteAccess(route, caller);
    return 'allowed';
  } catch (error) {
    if (error instanceof Unauthenticated) return 401;
    if (error instanceof Forbidden) return 403;
    return 'other';
  }
}

describe('route access, pinned per route', () => {
  it('pins exactly the routes of the route table', () => {
    expect(Object.keys(PINNED_ACCESS).sort()).toEqual(routes.map(routeKeyOf).sort());
  });

  it.each(Object.entries(PINNED_ACCESS))('%s is %s', (routeKey, pinned) => {
    // Act
    const outcomes = Object.fromEntries(
      Object.entries(CALLERS).map(([name, caller]) => [name, outcomeOf(routeKey, caller)]),
    );

    // Assess
    expect(outcomes).toEqual(EXPECTED[pinned]);
  });
});
