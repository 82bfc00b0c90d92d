import type { RouteDefinition } from '../api/route-record.js';
import { Forbidden, Unauthenticated } from '../domain/errors.js';
import { isAdmin, type Principal } from '../domain/principal.js';

/**
 * Function-level authorization from the route table: the least role a route needs.
 * Object-level rules (whose event, whose order) live in the domain.
 */
export function assertRouteAccess(route: RouteDefinition, principal: Principal): void {
  if (route.access === 'public') return;
  if (principal.userId === null) throw new Unauthenticated('Sign in to do this');
  const allowed =
    route.access === 'customer' || isAdmin(principal) || principal.roles.includes(route.access);
  if (!allowed) throw new Forbidden(`This needs the ${route.access} role`);
}
