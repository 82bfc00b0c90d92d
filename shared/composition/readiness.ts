import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoTableCheck } from '../adapters/dynamo-table-check.js';
import { LocalEmailQueue, SqsEmailQueue } from '../adapters/email-queues.js';
import type { ReadinessCheck } from '../domain/readiness.js';
import { ENV, requireEnv } from '../env.js';
import { documentClient, tableName } from './dynamodb.js';

const runtime = requireEnv(ENV.runtime);
if (runtime !== 'aws' && runtime !== 'local') {
  throw new Error(`${ENV.runtime} must be "aws" or "local", got "${runtime}"`);
}

// Built once per container. On AWS the stack grants this function GetItem on the probe
// key and GetQueueAttributes on the email queue, nothing more.
const emailQueue =
  runtime === 'local'
    ? new LocalEmailQueue()
    : new SqsEmailQueue(new SQSClient({}), requireEnv(ENV.emailQueueUrl));

/** What `GET /health/ready` checks: every dependency the API's requests need. */
export const readinessChecks: readonly ReadinessCheck[] = [
  new DynamoTableCheck(documentClient, tableName),
  { name: 'emailQueue', check: (signal) => emailQueue.checkHealth(signal) },
];
