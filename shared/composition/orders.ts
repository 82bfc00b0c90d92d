import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ulid } from 'ulid';
import { DynamoEventRepository } from '../adapters/dynamo-event-repository.js';
import { DynamoOrderRepository } from '../adapters/dynamo-order-repository.js';
import { DynamoOutboxRelay } from '../adapters/dynamo-outbox-relay.js';
import { DynamoUserRepository } from '../adapters/dynamo-user-repository.js';
import { DynamoWaitlistRepository } from '../adapters/dynamo-waitlist-repository.js';
import { EventBridgeExpiryScheduler } from '../adapters/eventbridge-expiry-scheduler.js';
import { LocalExpiryScheduler } from '../adapters/local-expiry-scheduler.js';
import { TestPaymentGateway } from '../adapters/test-payment-gateway.js';
import { systemClock } from '../domain/clock.js';
import { EventCancellation } from '../domain/event-cancellation.js';
import { OrderLifecycle } from '../domain/order-lifecycle.js';
import type { ExpiryScheduler, OrderDeps } from '../domain/order-ports.js';
import { OrderQueries } from '../domain/order-queries.js';
import { OrderSweep } from '../domain/order-sweep.js';
import { Waitlist } from '../domain/waitlist.js';
import { ENV, requireEnv } from '../env.js';
import { businessMetrics, logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';
import { asyncRuntime, emailQueue, lacking } from './email-queue.js';

function expiryScheduler(): ExpiryScheduler {
  if (asyncRuntime === 'local') return new LocalExpiryScheduler();
  if (process.env[ENV.expiryFunctionArn] === undefined) {
    return { scheduleExpiry: async () => lacking('schedule hold expiries') };
  }
  return new EventBridgeExpiryScheduler(new SchedulerClient({}), {
    groupName: requireEnv(ENV.scheduleGroupName),
    targetArn: requireEnv(ENV.expiryFunctionArn),
    roleArn: requireEnv(ENV.schedulerRoleArn),
    deadLetterArn: requireEnv(ENV.schedulerDeadLetterArn),
  });
}

const onRecoverableError = (message: string, error: unknown) =>
  logger.error(message, error as Error);

export const outboxRelay = new DynamoOutboxRelay(
  documentClient,
  tableName,
  emailQueue,
  onRecoverableError,
);

/** Built once per container; every order handler and job shares them. */
const deps: OrderDeps = {
  orders: new DynamoOrderRepository(documentClient, tableName),
  events: new DynamoEventRepository(documentClient, tableName),
  waitlist: new DynamoWaitlistRepository(documentClient, tableName),
  customers: new DynamoUserRepository(documentClient, tableName),
  scheduler: expiryScheduler(),
  payments: new TestPaymentGateway(),
  outbox: outboxRelay,
  clock: systemClock,
  newId: ulid,
  onRecoverableError,
  metrics: businessMetrics,
};
export const orderLifecycle = new OrderLifecycle(deps);
export const orderQueries = new OrderQueries(deps);
export const orderSweep = new OrderSweep(deps, orderLifecycle);
export const eventCancellation = new EventCancellation(deps, orderLifecycle);
export const waitlist = new Waitlist(deps);

/** The raw client, for libraries that take one (Powertools idempotency). */
export const dynamoDbClient = new DynamoDBClient({});
