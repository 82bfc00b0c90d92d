import type { Role } from './domain/principal.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Throttle {
  /** Steady requests per second. */
  rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  burstLimit: number;
}

/** Identity-provider operations a function performs; the stack grants exactly these. */
export type IdentityOperation =
  | 'createUser'
  | 'authenticate'
  | 'signOut'
  | 'setRoles'
  | 'deleteUser';

/** Asynchronous machinery a function uses besides the table; the stack grants exactly these. */
export type AsyncResource = 'expirySchedule' | 'emailQueue' | 'idempotency';

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
  identity?: readonly IdentityOperation[];
  uses?: readonly AsyncResource[];
  throttle: Throttle;
}

export const DEFAULT_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };
const READ_THROTTLE: Throttle = { rateLimit: 200, burstLimit: 400 };
/** Credential endpoints: slow enough to make password guessing expensive. */
const CREDENTIAL_THROTTLE: Throttle = { rateLimit: 10, burstLimit: 20 };

// `as const` keeps each id a literal, so RouteId is the union of them.
const routeTable = [
  {
    id: 'Health',
    method: 'GET',
    path: '/health',
    handler: 'health',
    access: 'public',
    throttle: READ_THROTTLE,
  },
  {
    id: 'Register',
    method: 'POST',
    path: '/v1/auth/register',
    handler: 'register',
    access: 'public',
    table: 'write',
    // deleteUser undoes a sign-up whose profile could not be written.
    identity: ['createUser', 'deleteUser'],
    throttle: CREDENTIAL_THROTTLE,
  },
  {
    id: 'Login',
    method: 'POST',
    path: '/v1/auth/login',
    handler: 'login',
    access: 'public',
    // The local identity provider keeps credentials in the table; Cognito does not need it.
    table: 'read',
    identity: ['authenticate'],
    throttle: CREDENTIAL_THROTTLE,
  },
  {
    id: 'Logout',
    method: 'POST',
    path: '/v1/auth/logout',
    handler: 'logout',
    access: 'customer',
    table: 'write',
    identity: ['signOut'],
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'GetMe',
    method: 'GET',
    path: '/v1/me',
    handler: 'get-me',
    access: 'customer',
    table: 'read',
    throttle: READ_THROTTLE,
  },
  {
    id: 'UpdateMe',
    method: 'PATCH',
    path: '/v1/me',
    handler: 'update-me',
    access: 'customer',
    table: 'write',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'ListUsers',
    method: 'GET',
    path: '/v1/users',
    handler: 'list-users',
    access: 'admin',
    table: 'read',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'GetUser',
    method: 'GET',
    path: '/v1/users/{userId}',
    handler: 'get-user',
    access: 'customer',
    table: 'read',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'SetUserRoles',
    method: 'PUT',
    path: '/v1/users/{userId}/roles',
    handler: 'set-user-roles',
    access: 'admin',
    table: 'write',
    identity: ['setRoles'],
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'DeleteUser',
    method: 'DELETE',
    path: '/v1/users/{userId}',
    handler: 'delete-user',
    access: 'admin',
    table: 'write',
    identity: ['deleteUser'],
    throttle: DEFAULT_THROTTLE,
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
    // Releases or refunds every order and emails each customer.
    uses: ['emailQueue'],
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'HoldTickets',
    method: 'POST',
    path: '/v1/events/{eventId}/orders',
    handler: 'hold-tickets',
    access: 'customer',
    table: 'write',
    uses: ['expirySchedule', 'idempotency'],
    throttle: { rateLimit: 500, burstLimit: 1000 },
  },
  {
    id: 'ListOrders',
    method: 'GET',
    path: '/v1/orders',
    handler: 'list-orders',
    access: 'organizer',
    table: 'read',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'ListMyOrders',
    method: 'GET',
    path: '/v1/me/orders',
    handler: 'list-my-orders',
    access: 'customer',
    table: 'read',
    throttle: READ_THROTTLE,
  },
  {
    id: 'GetOrder',
    method: 'GET',
    path: '/v1/orders/{orderId}',
    handler: 'get-order',
    access: 'customer',
    table: 'read',
    throttle: READ_THROTTLE,
  },
  {
    id: 'PayOrder',
    method: 'POST',
    path: '/v1/orders/{orderId}/pay',
    handler: 'pay-order',
    access: 'customer',
    table: 'write',
    uses: ['emailQueue'],
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'CancelOrder',
    method: 'POST',
    path: '/v1/orders/{orderId}/cancel',
    handler: 'cancel-order',
    access: 'customer',
    table: 'write',
    uses: ['emailQueue'],
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'OpenApi',
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    access: 'public',
    throttle: READ_THROTTLE,
  },
  {
    id: 'EventStats',
    method: 'GET',
    path: '/v1/events/{eventId}/stats',
    handler: 'event-stats',
    access: 'organizer',
    table: 'read',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'AdminAnalytics',
    method: 'GET',
    path: '/v1/admin/analytics',
    handler: 'admin-analytics',
    access: 'admin',
    table: 'read',
    throttle: DEFAULT_THROTTLE,
  },
  {
    id: 'RelevantEvents',
    method: 'GET',
    path: '/v1/users/{userId}/relevant-events',
    handler: 'relevant-events',
    access: 'customer',
    table: 'read',
    throttle: READ_THROTTLE,
  },
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof routeTable)[number]['id'];

/** Every HTTP route. The CDK HTTP API and the local gateway are both built from this list. */
export const routes: readonly RouteDefinition[] = routeTable;

export const routeKeyOf = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

export const routeByKey: ReadonlyMap<string, RouteDefinition> = new Map(
  routes.map((route) => [routeKeyOf(route), route]),
);
