import type { RouteDefinition } from '../../shared/api/route-record.js';
import { matchPath } from '../api-event.js';
import { type GatewayResponse, problemResponse } from './responses.js';

/**
 * The route for a method and path, with its path parameters; otherwise the answer API
 * Gateway would give: 404 for a path no route has, 405 (with `allow`) for a method it
 * lacks, 400 for a path that is not valid percent-encoding.
 */
export function resolveRoute(
  routeTable: readonly RouteDefinition[],
  method: string,
  path: string,
): { route: RouteDefinition; pathParameters: Record<string, string> } | GatewayResponse {
  const allowed = new Set<string>();
  let found: { route: RouteDefinition; pathParameters: Record<string, string> } | undefined;
  try {
    for (const candidate of routeTable) {
      const params = matchPath(candidate.path, path);
      if (!params) continue;
      allowed.add(candidate.method);
      if (candidate.method === method && !found) {
        found = { route: candidate, pathParameters: params };
      }
    }
  } catch (error) {
    if (!(error instanceof URIError)) throw error;
    return problemResponse(
      400,
      'VALIDATION_FAILED',
      'The request is not valid',
      'The request path is not valid percent-encoding',
    );
  }
  if (found) return found;
  if (allowed.size === 0) {
    return problemResponse(404, 'NOT_FOUND', 'Not found', `No route matches ${path}`);
  }
  const allow = [...allowed].join(', ');
  return problemResponse(
    405,
    'METHOD_NOT_ALLOWED',
    'Method not allowed',
    `${method} is not allowed on ${path}; allowed: ${allow}`,
    { allow },
  );
}
