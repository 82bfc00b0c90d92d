import type { z } from 'zod';
import { subscribeSchema, unsubscribeSchema } from '../domain/live-availability.js';

export type LiveRouteKey = '$connect' | '$disconnect' | '$default' | 'subscribe' | 'unsubscribe';

/**
 * One route of the WebSocket API. The CDK WebSocket API and the local WebSocket server
 * are both built from `liveRoutes`, as the HTTP API and the local gateway are from the
 * HTTP route table.
 */
export interface LiveRoute {
  /** Unique; names the Lambda and its construct. */
  id: string;
  routeKey: LiveRouteKey;
  /** File in `functions/` (without extension) exporting `handler`. */
  handler: string;
  description: string;
  /** The function's access to the table; the stack grants exactly this. */
  table?: 'write';
  /** Whether the handler's answer goes back to the client (an API Gateway route response). */
  replies: boolean;
  /** What the handler validates a message against; messages of other routes have none. */
  body?: z.ZodType;
}

/** How API Gateway picks a message's route: the `action` of its JSON body, else `$default`. */
export const LIVE_ROUTE_SELECTION = '$request.body.action';

export const LiveConnect = {
  id: 'LiveConnect',
  routeKey: '$connect',
  handler: 'live-connect',
  description: 'WebSocket $connect: stores the connection (anyone may connect)',
  table: 'write',
  replies: false,
} as const satisfies LiveRoute;

export const LiveDisconnect = {
  id: 'LiveDisconnect',
  routeKey: '$disconnect',
  handler: 'live-disconnect',
  description: 'WebSocket $disconnect: deletes the connection and its subscriptions',
  table: 'write',
  replies: false,
} as const satisfies LiveRoute;

export const LiveSubscribe = {
  id: 'LiveSubscribe',
  routeKey: 'subscribe',
  handler: 'live-subscribe',
  description: "WebSocket subscribe: follows a published event's availability",
  table: 'write',
  replies: true,
  body: subscribeSchema,
} as const satisfies LiveRoute;

export const LiveUnsubscribe = {
  id: 'LiveUnsubscribe',
  routeKey: 'unsubscribe',
  handler: 'live-unsubscribe',
  description: 'WebSocket unsubscribe: stops following an event',
  table: 'write',
  replies: true,
  body: unsubscribeSchema,
} as const satisfies LiveRoute;

export const LiveDefault = {
  id: 'LiveDefault',
  routeKey: '$default',
  handler: 'live-default',
  description: 'WebSocket $default: answers a message no route takes with VALIDATION_FAILED',
  replies: true,
} as const satisfies LiveRoute;

export const liveRoutes: readonly LiveRoute[] = [
  LiveConnect,
  LiveDisconnect,
  LiveSubscribe,
  LiveUnsubscribe,
  LiveDefault,
];
