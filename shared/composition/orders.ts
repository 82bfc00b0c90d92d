import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { DynamoEventRepository } from '../adapters/dynamo-event-repository.js';
import { DynamoOrderRepository } from '../adapters/dynamo-order-repository.js';
import { DynamoOutboxRelay } from '../adapters/dynamo-outbox-relay.js';
import { DynamoUserRepository } from '../adapters/dynamo-user-repository.js';
import { DynamoWaitlistRepository } from '../adapters/dynamo-waitlist-repository.js';
import { type EmailQueue, LocalEmailQueue, SqsEmailQueue } from '../adapters/email-queues.js';
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

const runtime = requireEnv(ENV.runtime);
if (runtime !== 'aws' && runtime !== 'local') {
  throw new Error(`${ENV.runtime} must be "aws" or "local", got "${runtime}"`);
}

/**
 * On AWS a function may schedule expiries or send to the email queue only when the
 * stack gave it that capability, which it does with the env vars and grants together.
 * Without them the port refuses loudly instead of failing on a missing permission.
 */
function lacking(capability: string): never {
  throw new Error(`This function is not configured to ${capability}`);
}

function expiryScheduler(): ExpiryScheduler {
  if (runtime === 'local') return new LocalExpiryScheduler();
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

function emailQueue(): EmailQueue {
  if (runtime === 'local') return new LocalEmailQueue();
  if (process.env[ENV.emailQueueUrl] === undefined) {
    return { send: async () => lacking('send to the email queue') };
  }
  return new SqsEmailQueue(new SQSClient({}), requireEnv(ENV.emailQueueUrl));
}

const onRecoverableError = (message: string, error: unknown) =>
  logger.error(message, error as Error);

export const outboxRelay = new DynamoOutboxRelay(
  documentClient,
  tableName,
  emailQueue(),
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
