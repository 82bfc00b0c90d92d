import type { Role } from './domain/principal.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Throttle {
  /** Steady requests per second. */
  rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  burstLimit: number;
}

export interface RouteDefinition {
  /** Unique; names the Lambda and its construct. */
  id: string;
  method: HttpMethod;
  /** API Gateway path syntax, e.g. `/v1/events/{eventId}`. */
  path: string;
  /** File in `functions/` (without extension) exporting `handler`. */
  handler: string;
  /** `public` needs no token; otherwise the least role that may call it. */
  access: 'public' | Role;
  /** The function's access to the table; the stack grants exactly this. */
  table?: 'read' | 'write';
  throttle: Throttle;
}

export const DEFAULT_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };
const READ_THROTTLE: Throttle = { rateLimit: 200, burstLimit: 400 };

/** Every HTTP route. The CDK HTTP API and the local gateway are both built from this list. */
export const routes: readonly RouteDefinition[] = [
  {
    id: 'Health',
    method: 'GET',
    path: '/health',
    handler: 'health',
    access: 'public',
    throttle: READ_THROTTLE,
  },
  {
    id: 'CreateEvent',
    method: 'POST',
    path: '/v1/events',
    handler: 'create-event',
    access: 'organizer',
    table: 'write',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'ListEvents',
    method: 'GET',
    path: '/v1/events',
    handler: 'list-events',
    access: 'public',
    table: 'read',
    throttle: READ_THROTTLE,
  },
  {
    id: 'GetEvent',
    method: 'GET',
    path: '/v1/events/{eventId}',
    handler: 'get-event',
    access: 'public',
    table: 'read',
    throttle: READ_THROTTLE,
  },
  {
    id: 'UpdateEvent',
    method: 'PATCH',
    path: '/v1/events/{eventId}',
    handler: 'update-event',
    access: 'organizer',
    table: 'write',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'DeleteEvent',
    method: 'DELETE',
    path: '/v1/events/{eventId}',
    handler: 'delete-event',
    access: 'organizer',
    table: 'write',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'PublishEvent',
    method: 'POST',
    path: '/v1/events/{eventId}/publish',
    handler: 'publish-event',
    access: 'organizer',
    table: 'write',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'CancelEvent',
    method: 'POST',
    path: '/v1/events/{eventId}/cancel',
    handler: 'cancel-event',
    access: 'organizer',
    table: 'write',
    throttle: DEFAULT_THROTTLE,
  },
];
