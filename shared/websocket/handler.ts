import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { LiveRoute } from '../api/live-routes.js';
import { DomainError, ValidationFailed } from '../domain/errors.js';
import type { LiveMessage } from '../domain/live-availability.js';
import { validate } from '../http/validation.js';
import { logger } from '../observability.js';

/** What a WebSocket route's Lambda answers; `body` goes to the client on routes that reply. */
export interface LiveReply {
  statusCode: number;
  body?: string;
}

export interface LiveRequest<R extends LiveRoute> {
  connectionId: string;
  /** The message validated against the route's schema; undefined on routes without one. */
  body: R['body'] extends z.ZodType ? z.output<R['body']> : undefined;
  /** The message as sent. */
  raw: string | undefined;
}

/** A message's JSON, or the VALIDATION_FAILED of one that is not JSON. */
export function parseMessage(raw: string | undefined): unknown {
  try {
    return JSON.parse(raw ?? '');
  } catch {
    throw new ValidationFailed('The message must be a JSON object', [
      { path: 'body', message: 'malformed or missing JSON' },
    ]);
  }
}

/**
 * The one place a failure becomes what the client hears: a domain error its code and
 * detail, anything else a generic INTERNAL (logged in full, never sent).
 */
function errorReply(error: unknown): LiveReply {
  if (error instanceof DomainError) {
    const message: LiveMessage = {
      type: 'error',
      code: error.code,
      message: error.message,
      ...(error.errors && { errors: error.errors }),
    };
    return { statusCode: error.status, body: JSON.stringify(message) };
  }
  logger.error('Unhandled error', error as Error);
  const message: LiveMessage = {
    type: 'error',
    code: 'INTERNAL',
    message: 'Something went wrong on our side; the message may be sent again',
  };
  return { statusCode: 500, body: JSON.stringify(message) };
}

/**
 * The one way a WebSocket route handler is built, from its route's record: check it runs
 * behind its own route, parse and validate the message, run the domain call, and send
 * back its answer, or the error message of whatever failed.
 */
export function liveHandler<R extends LiveRoute>(
  route: R,
  run: (request: LiveRequest<R>) => Promise<LiveMessage | undefined>,
) {
  const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<LiveReply> => {
    try {
      const { routeKey, connectionId } = event.requestContext;
      // Only a deployment that bound this handler to another route gets here.
      if (routeKey !== route.routeKey) {
        throw new Error(`Handler of ${route.routeKey} invoked for ${routeKey}`);
      }
      const body = route.body ? validate(route.body, parseMessage(event.body), 'body') : undefined;
      const reply = await run({ connectionId, body, raw: event.body } as LiveRequest<R>);
      return { statusCode: 200, ...(reply && { body: JSON.stringify(reply) }) };
    } catch (error) {
      return errorReply(error);
    }
  };
  // Exposed so a test can prove each handler is built from its own route's record.
  return Object.assign(handler, { route });
}
