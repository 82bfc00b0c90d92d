import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../api/route-record.js';
import { answerHeaders } from './answer-headers.js';
import type { ApiEvent } from './principal.js';

type Result = APIGatewayProxyStructuredResultV2;

/**
 * What caches may do with an answer of a route with `publicCacheSeconds`: a success to a
 * caller who sent no token is the same for everyone, so any cache may keep it that long
 * (`Vary: Authorization` keeps a signed-in caller from being served it). Anything else,
 * a signed-in caller's answer or an error (a CDN would otherwise keep a 404 for its
 * default error TTL, past the moment a draft is published), is `private, no-store`.
 */
export function cacheControl(route: RouteDefinition): middy.MiddlewareObj<ApiEvent, Result>[] {
  const seconds = route.publicCacheSeconds;
  if (seconds === undefined) return [];
  if (route.access !== 'public' || route.method !== 'GET') {
    throw new Error(`${route.id}: only a public GET route may be cached publicly`);
  }
  return [
    answerHeaders(({ event, response }) => {
      const shared =
        response.statusCode !== undefined &&
        response.statusCode >= 200 &&
        response.statusCode < 300 &&
        // API Gateway sends header names lower-cased.
        event.headers.authorization === undefined &&
        (event.requestContext.authorizer?.lambda?.status ?? 'anonymous') === 'anonymous';
      return {
        'cache-control': shared ? `public, max-age=${seconds}` : 'private, no-store',
        ...(shared && { vary: 'authorization' }),
      };
    }),
  ];
}
