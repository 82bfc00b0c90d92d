import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../api/route-record.js';
import type { RateLimitState } from '../domain/errors.js';
import type { Client } from '../domain/rate-limits.js';
import { answerHeaders } from './answer-headers.js';
import type { ApiEvent } from './principal.js';

type Result = APIGatewayProxyStructuredResultV2;

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy, and what
 * is left of it; a refusal adds `Retry-After`.
 */
export function rateLimitHeaders(state: RateLimitState, refused: boolean): Record<string, string> {
  return {
    'ratelimit-policy': `"${state.policy}";q=${state.quota};w=${state.windowSeconds}`,
    ratelimit: `"${state.policy}";r=${state.remaining};t=${state.resetSeconds}`,
    ...(refused && { 'retry-after': String(state.resetSeconds) }),
  };
}

/** A valid token's user, else the source address API Gateway saw (never a header a client sets). */
export function clientOf(event: ApiEvent): Client {
  const context = event.requestContext.authorizer?.lambda;
  return context?.status === 'authenticated'
    ? { userId: context.userId }
    : { sourceIp: event.requestContext.http.sourceIp };
}

/*
 * Loaded on first use, not imported: the routes without a per-client limit (liveness,
 * the static document) have no table to count in, and must start without one.
 */
let limiter: Promise<typeof import('../composition/rate-limits.js')> | undefined;
const loadLimiter = () => {
  limiter ??= import('../composition/rate-limits.js');
  return limiter;
};

/**
 * Counts each request against its client's limit before anything else looks at it, and
 * puts the RateLimit fields on the answer, whatever it is.
 */
export function perClientLimit(route: RouteDefinition): middy.MiddlewareObj<ApiEvent, Result>[] {
  if (route.perClientLimit === false) return [];
  const states = new WeakMap<ApiEvent, RateLimitState>();
  return [
    {
      before: async (request) => {
        const { clientLimits } = await loadLimiter();
        const state = await clientLimits?.admitRequest(clientOf(request.event), {
          hold: route.countsAsHold === true,
        });
        if (state) states.set(request.event, state);
      },
      ...answerHeaders(({ event, response }) => {
        const state = states.get(event);
        // A refusal by another limit (holds) already names that one.
        if (!state || response.headers?.ratelimit) return undefined;
        return rateLimitHeaders(state, false);
      }),
    },
  ];
}
