import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyInProgress, IdempotencyKeyReused } from '../domain/errors.js';
import type { HoldInput, OrderView } from '../domain/order-model.js';
import type { Principal } from '../domain/principal.js';
import { ENV, requireEnv } from '../env.js';
import { dynamoDbClient, orderLifecycle } from './orders.js';

interface HoldRequest {
  /** Keys are scoped to the caller: the same key from two customers is two requests. */
  userId: string;
  key: string;
  /** Compared on replay: the same key with another request is refused (422). */
  request: { eventId: string; body: HoldInput };
  principal: Principal;
}

const config = new IdempotencyConfig({
  eventKeyJmesPath: '[userId, key]',
  payloadValidationJmesPath: 'request',
  expiresAfterSeconds: 24 * 60 * 60,
  throwOnNoIdempotencyKey: true,
});

// makeIdempotent, not the middy middleware: in releases up to 2.35.0 the middleware
// deletes the in-progress record when it rejects a duplicate (powertools issue 5675).
const holdOnce = makeIdempotent(
  (request: HoldRequest): Promise<OrderView> =>
    orderLifecycle.hold(request.principal, request.request.eventId, request.request.body),
  {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: requireEnv(ENV.idempotencyTableName),
      awsSdkV3Client: dynamoDbClient,
    }),
    config,
  },
);

/**
 * A hold, once per (caller, Idempotency-Key): a repeat replays the first response,
 * the same key with another body is 422, and one still in flight is 409.
 */
export async function holdIdempotently(request: HoldRequest, context: Context): Promise<OrderView> {
  config.registerLambdaContext(context);
  try {
    return await holdOnce(request);
  } catch (error) {
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new IdempotencyInProgress('The first request with this key is still being processed');
    }
    if (error instanceof IdempotencyValidationError) {
      throw new IdempotencyKeyReused('This Idempotency-Key was used with a different request');
    }
    throw error;
  }
}

export interface HoldPlacement {
  principal: Principal;
  eventId: string;
  body: HoldInput;
  /** The request's `Idempotency-Key`, if it sent one. */
  idempotencyKey: string | undefined;
  context: Context;
}

/**
 * A hold as REST and GraphQL both place it, once per Idempotency-Key when one is sent.
 * Its hold limit was counted where the request came in (the REST route's per-client
 * check, GraphQL's `createOrder` resolver).
 */
export async function placeHold(placement: HoldPlacement): Promise<OrderView> {
  const { principal, eventId, body, idempotencyKey, context } = placement;
  return idempotencyKey !== undefined && principal.userId !== null
    ? holdIdempotently(
        { userId: principal.userId, key: idempotencyKey, request: { eventId, body }, principal },
        context,
      )
    : orderLifecycle.hold(principal, eventId, body);
}
