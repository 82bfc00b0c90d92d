import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readinessProbeKey } from '../../shared/db/table.js';
import { NotReady } from '../../shared/domain/errors.js';
import { checkReadiness, type ReadinessCheck } from '../../shared/domain/readiness.js';
import { expectProblem, invoke } from '../support/invoke.js';

const ok = (name: string): ReadinessCheck => ({ name, check: async () => {} });
/** Never answers and ignores the signal, as a hung socket would. */
const hung = (name: string): ReadinessCheck => ({ name, check: () => new Promise(() => {}) });

async function notReadyOf(promise: Promise<unknown>): Promise<NotReady> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(NotReady);
  return error as NotReady;
}

describe('checkReadiness', () => {
  it('answers ok for each check when all pass', async () => {
    // Act
    const checks = await checkReadiness([ok('table'), ok('emailQueue')], { timeoutMs: 100 });

    // Assess
    expect(checks).toEqual({ table: 'ok', emailQueue: 'ok' });
  });

  it('fails a check that outlives its timeout, names it, and aborts its signal', async () => {
    // Prepare
    let signal: AbortSignal | undefined;
    const slow: ReadinessCheck = {
      name: 'table',
      check: (given) => {
        signal = given;
        return new Promise(() => {});
      },
    };
    const started = Date.now();

    // Act
    const error = await notReadyOf(checkReadiness([slow, ok('emailQueue')], { timeoutMs: 30 }));

    // Assess
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.status).toBe(503);
    expect(error.code).toBe('NOT_READY');
    expect(error.errors).toEqual([
      { path: 'checks.table', message: 'did not answer within 30 ms' },
    ]);
    expect(signal?.aborted).toBe(true);
  });

  it('names every failed check, and keeps their internal messages to the log', async () => {
    // Prepare
    const failed: [string, unknown][] = [];
    const broken: ReadinessCheck = {
      name: 'emailQueue',
      check: async () => {
        throw new Error('arn:aws:sqs:secret-internal-detail');
      },
    };

    // Act
    const error = await notReadyOf(
      checkReadiness([hung('table'), broken], {
        timeoutMs: 20,
        onCheckFailed: (name, cause) => failed.push([name, cause]),
      }),
    );

    // Assess
    expect(error.errors?.map((field) => field.path)).toEqual(['checks.table', 'checks.emailQueue']);
    expect(JSON.stringify(error.errors)).not.toContain('secret');
    expect(error.message).not.toContain('secret');
    expect(failed.map(([name]) => name)).toEqual(['table', 'emailQueue']);
  });

  it('runs the checks concurrently: each waits for the other to start, which one after the other could not', async () => {
    // Prepare
    const started = new Set<string>();
    const waitsFor = (name: string, other: string): ReadinessCheck => ({
      name,
      check: async () => {
        started.add(name);
        while (!started.has(other)) await new Promise((resolve) => setTimeout(resolve, 1));
      },
    });

    // Act
    const checks = await checkReadiness([waitsFor('a', 'b'), waitsFor('b', 'a')], {
      timeoutMs: 200,
    });

    // Assess
    expect(checks).toEqual({ a: 'ok', b: 'ok' });
  });
});

describe('GET /health/ready on AWS (SDK mocked)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sqs = mockClient(SQSClient);

  beforeEach(() => {
    ddb.reset();
    sqs.reset();
  });

  it('answers 200 after a strongly consistent read of the probe key and the queue attributes, with no token', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });

    // Act
    const response = await invoke('GET', '/health/ready');

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { table: 'ok', emailQueue: 'ok' } });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: 'unit-test-table',
      Key: readinessProbeKey,
      ConsistentRead: true,
    });
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: process.env.EMAIL_QUEUE_URL,
    });
  });

  it('answers 503 NOT_READY naming the queue when SQS fails, without its message', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).rejects(new Error('AccessDenied for role xyz'));

    // Act
    const response = await invoke('GET', '/health/ready');

    // Assess
    expectProblem(response, 503, 'NOT_READY');
    expect(response.body.errors).toEqual([
      { path: 'checks.emailQueue', message: 'did not answer successfully' },
    ]);
    expect(JSON.stringify(response.body)).not.toContain('xyz');
  });
});
