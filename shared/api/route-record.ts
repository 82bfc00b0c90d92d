import type { z } from 'zod';
import type { DomainError } from '../domain/errors.js';
import type { Role } from '../domain/principal.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Throttle {
  /** Steady requests per second. */
  rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  burstLimit: number;
}

/*
 * Route throttles are a capacity guard for all callers together, sized from what stands
 * behind them; one client is held back by its own per-client limits (ClientLimits), long
 * before these. The account's API Gateway quota is 10,000 requests/s (burst 5,000) per
 * region, and Lambda's default concurrency of 1,000 at ~100 ms a request serves ~10,000/s.
 */

/**
 * Writes: 500/s keeps a whole-API write wave within the table's default on-demand quota
 * (40,000 WRU/s; a hold writes ~10 units across its items and index copies) and within
 * the Lambda concurrency the reads also need.
 */
export const DEFAULT_THROTTLE: Throttle = { rateLimit: 500, burstLimit: 1000 };
/** Reads: keyed GetItems and Queries, ~20 ms each; 2,000/s is a fifth of the account's quota. */
export const READ_THROTTLE: Throttle = { rateLimit: 2000, burstLimit: 4000 };
/**
 * Credential endpoints: at Cognito's default quotas, user creation 50/s and authentication
 * 120/s per account; above them Cognito refuses (and the client would see 500s).
 * Password guessing is stopped per account by the failed-login limit, not here.
 */
export const CREDENTIAL_THROTTLE: Throttle = { rateLimit: 40, burstLimit: 50 };

/** Identity-provider operations a function performs; the stack grants exactly these. */
export type IdentityOperation =
  | 'createUser'
  | 'authenticate'
  | 'signOut'
  | 'setRoles'
  | 'deleteUser'
  | 'markEmailVerified';

/**
 * Asynchronous machinery a function uses besides the table; the stack grants exactly these.
 * `emailQueueProbe` only reads the email queue's attributes (readiness), never sends.
 */
export type AsyncResource = 'expirySchedule' | 'emailQueue' | 'emailQueueProbe' | 'idempotency';

/** Path and query parameters, and headers, are always objects of named values. */
export type ParameterSchema = z.ZodType<unknown, Record<string, unknown>>;

/** What the route's handler validates: `httpHandler` takes these very objects from the record. */
export interface RouteRequest {
  params?: ParameterSchema;
  query?: ParameterSchema;
  body?: z.ZodType;
  /** Request headers the handler reads besides `Authorization`, by lower-case name. */
  headers?: ParameterSchema;
}

/** A request as a client would send it (query and header values are strings on the wire). */
export type RequestExample<R extends RouteRequest> = {
  [K in keyof R]: z.input<NonNullable<R[K]>>;
};

/** Groups of operations, in the order the docs page shows them. */
export const TAGS = {
  Auth: 'Sign up, sign in, sign out',
  Users: 'Profiles and roles',
  Events: 'Events and their ticket types',
  Orders: 'Holds, payments and cancellations',
  Waitlist: 'Waiting for sold-out tickets',
  Audit: 'Who changed what, and when',
  GraphQL: 'The same API as GraphQL',
  Health: 'Service status',
  Docs: 'This contract',
} as const;
export type Tag = keyof typeof TAGS;

export type DomainErrorClass = new (detail: string) => DomainError;

/**
 * Everything about one route, in one record: how the stack deploys and guards it (the
 * CDK and the local gateway read these), what its handler validates, and what the
 * OpenAPI document says of it.
 */
export interface RouteDefinition<R extends RouteRequest = RouteRequest> {
  /** Unique; names the Lambda and its construct. */
  id: string;
  method: HttpMethod;
  /** API Gateway path syntax, e.g. `/v1/events/{eventId}`. */
  path: string;
  /** File in `functions/` (without extension) exporting `handler`. */
  handler: string;
  /** `public` needs no token; otherwise the least role that may call it. */
  access: 'public' | Role;
  /**
   * The function's access to the table; the stack grants exactly this. `probe` is one
   * GetItem of the readiness probe key (`readinessProbeKey`), nothing else.
   */
  table?: 'probe' | 'read' | 'write';
  identity?: readonly IdentityOperation[];
  uses?: readonly AsyncResource[];
  throttle: Throttle;
  /**
   * `false` exempts the route from the per-client limits: only for routes that touch
   * nothing a client could exhaust (liveness, the static document, readiness probes).
   */
  perClientLimit?: false;
  /**
   * A hold request: its per-client check also counts it against the customer's hold
   * limit, in the same write as the request itself.
   */
  countsAsHold?: true;
  /**
   * Public routes only: a token, if sent, identifies the caller, who may then see more.
   * Public routes have no authorizer, so the handler is built with the Authenticator and
   * the stack binds the token verifier to its function; other public routes serve every
   * caller alike and check nothing.
   */
  identifiesCaller?: true;
  /**
   * Public GET routes only: a 2xx answer to a caller who sent no token may be kept by
   * any cache (a CDN, the browser) this many seconds; every other answer of the route
   * is `private, no-store`. README "Hot reads".
   */
  publicCacheSeconds?: number;
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
    /** 202: accepted, with nothing to say back (a resend that must not reveal accounts). */
    | { status: 202 | 204; description: string };
  /**
   * What the route's own logic can fail with. The document adds what every route of its
   * kind can meet: VALIDATION_FAILED when it validates input, UNSUPPORTED_MEDIA_TYPE when
   * it takes a body, UNAUTHENTICATED and FORBIDDEN from its `access`, NOT_READY (a token
   * the authorizer could not check), RATE_LIMITED and INTERNAL everywhere.
   */
  errors: readonly DomainErrorClass[];
}

/**
 * Checks `example` against `request` at compile time (the unit test checks refinements
 * too) and keeps the id and the request schemas' own types for the handler.
 */
export const defineRoute = <const Id extends string, R extends RouteRequest>(
  route: RouteDefinition<R> & { id: Id },
): RouteDefinition<R> & { id: Id } => route;

export const routeKeyOf = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;
