import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { type RouteDefinition, type RouteRequest, routeKeyOf } from '../api/route-record.js';
import { actingAs, actorOf } from '../domain/actor.js';
import { UnsupportedMediaType } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { apiObservability } from '../observability.js';
import { assertRouteAccess } from './access.js';
import { cacheControl } from './cache-control.js';
import { perClientLimit } from './client-limits.js';
import { type ApiEvent, principalOf } from './principal.js';
import { problemResponse } from './problem.js';
import { type CallerCheck, identifyPublicCaller } from './public-identity.js';
import { validate } from './validation.js';

export interface Reply {
  status: number;
  body?: unknown;
  /** Besides `content-type`, which the wrapper sets for a body. */
  headers?: Record<string, string>;
}

type Parsed<S extends z.ZodType | undefined> = S extends z.ZodType ? z.output<S> : undefined;

/** Headers are validated by lower-case name, as they arrive normalised; others pass unchecked. */
export interface ValidRequest<S extends RouteRequest> {
  params: Parsed<S['params']>;
  query: Parsed<S['query']>;
  body: Parsed<S['body']>;
  principal: Principal;
  /** The validated headers when the route has a schema for them, else all of them as sent. */
  headers: S['headers'] extends z.ZodType
    ? z.output<S['headers']>
    : Record<string, string | undefined>;
  context: Context;
}

/**
 * The one way a route handler is built, from its route's record: normalise headers →
 * check access → check the body is declared as JSON → parse it → validate with the
 * record's zod schemas → run the domain call → serialise. Every error leaves through
 * `problemResponse`, so no handler builds an error response itself.
 */
export function httpHandler<S extends RouteRequest>(
  route: RouteDefinition<S>,
  run: (request: ValidRequest<S>) => Promise<Reply>,
  /** Only for a route that `identifiesCaller`: checks a token the caller sends. */
  options: { authenticator?: CallerCheck } = {},
) {
  const schemas = route.request;
  const chain = middy<ApiEvent, APIGatewayProxyStructuredResultV2>()
    .use(apiObservability())
    // Public routes have no authorizer: a token, if sent, is checked here.
    .use(identifyPublicCaller(route, options.authenticator))
    // The client's own limit before anything else; anonymous callers count by address.
    .use(perClientLimit(route))
    .use(cacheControl(route))
    .use({
      onError: (request) => {
        request.response = problemResponse(request.error);
      },
    })
    .use(httpHeaderNormalizer())
    // Who may call comes before what they sent: an anonymous caller gets 401, not a 400.
    .use({
      before: ({ event }) => {
        assertDeployedAs(route, event);
        assertRouteAccess(route, principalOf(event, route));
      },
    });
  if (schemas.body) {
    // middy's own check would leave as a bare HttpError; ours is a DomainError (415).
    chain
      .use({ before: ({ event }) => assertJsonContentType(event.headers['content-type']) })
      .use(httpJsonBodyParser({ disableContentTypeCheck: true }));
  }
  const handler = chain.handler(async (event, context) => {
    const request = {
      params: validate(schemas.params, event.pathParameters ?? {}, 'path'),
      // A route without query parameters refuses any, as every other route refuses unknown ones.
      query: validate(schemas.query ?? NO_QUERY, event.queryStringParameters ?? {}, 'query'),
      body: validate(schemas.body, event.body, 'body'),
      principal: principalOf(event, route),
      headers: schemas.headers
        ? validate(schemas.headers, event.headers, 'headers')
        : event.headers,
      context,
    } as ValidRequest<S>;
    // Every audited write of the call carries its caller (see `actingAs`).
    const actor = actorOf(request.principal);
    const reply = await (actor ? actingAs(actor, () => run(request)) : run(request));
    const headers = {
      ...reply.headers,
      ...(reply.body !== undefined && { 'content-type': 'application/json' }),
    };
    return {
      statusCode: reply.status,
      ...(Object.keys(headers).length > 0 && { headers }),
      ...(reply.body !== undefined && { body: JSON.stringify(reply.body) }),
    };
  });
  // Exposed so a test can prove each handler is built from its own route's record.
  return Object.assign(handler, { route });
}

const NO_QUERY = z.strictObject({});

/** `application/json` or `application/<subtype>+json` (RFC 6839), parameters aside. */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9][a-z0-9!#$&^_.+-]*\+)?json$/;

/**
 * A client that labels JSON as text/plain (or not at all) is refused rather than
 * guessed at: what a body means must not depend on sniffing it, and simple CORS
 * requests, which can't send application/json, never get past this.
 */
function assertJsonContentType(contentType: string | undefined): void {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new UnsupportedMediaType(
      'Send the request body with Content-Type: application/json (or application/<type>+json)',
    );
  }
}

/** Only a deployment that bound this handler to another route gets here. */
function assertDeployedAs(route: RouteDefinition, event: ApiEvent): void {
  if (event.routeKey !== routeKeyOf(route)) {
    throw new Error(`Handler of ${routeKeyOf(route)} invoked for ${event.routeKey}`);
  }
}
