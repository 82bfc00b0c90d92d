import { SQSClient } from '@aws-sdk/client-sqs';
import { LocalEmailQueue, SqsEmailQueue } from '../adapters/email-queues.js';
import type { EmailQueue } from '../domain/email-ports.js';
import { ENV, requireEnv } from '../env.js';

const runtime = requireEnv(ENV.runtime);
if (runtime !== 'aws' && runtime !== 'local') {
  throw new Error(`${ENV.runtime} must be "aws" or "local", got "${runtime}"`);
}

/** The async runtime the functions run on: AWS services, or the local in-process bus. */
export const asyncRuntime: 'aws' | 'local' = runtime;

/**
 * On AWS a function may schedule expiries or send to the email queue only when the
 * stack gave it that capability, which it does with the env vars and grants together.
 * Without them the port refuses loudly instead of failing on a missing permission.
 */
export function lacking(capability: string): never {
  throw new Error(`This function is not configured to ${capability}`);
}

/** Built once per container by whichever composition needs it first. */
export const emailQueue: EmailQueue =
  runtime === 'local'
    ? new LocalEmailQueue()
    : process.env[ENV.emailQueueUrl] === undefined
      ? { send: async () => lacking('send to the email queue') }
      : new SqsEmailQueue(new SQSClient({}), requireEnv(ENV.emailQueueUrl));
