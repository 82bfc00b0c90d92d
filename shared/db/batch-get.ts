import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * How unprocessed keys are retried: capped exponential backoff with full jitter (AWS
 * Architecture Blog, "Exponential Backoff and Jitter"): before retry n (1-based) wait
 * `random() × min(capMs, baseMs × 2^(n−1))`. Injectable so a test sees the delays.
 */
export interface BatchGetRetry {
  baseMs: number;
  capMs: number;
  /** Requests in all, the first included; keys still unprocessed after the last → error. */
  maxRounds: number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1). */
  random: () => number;
}

export const DEFAULT_BATCH_GET_RETRY: BatchGetRetry = {
  baseMs: 25,
  capMs: 1000,
  maxRounds: 8,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** DynamoDB kept leaving keys unprocessed (throttling) through every retry round. */
export class UnprocessedKeysError extends Error {
  constructor(
    readonly unprocessed: number,
    rounds: number,
  ) {
    super(`BatchGetItem left ${unprocessed} keys unprocessed after ${rounds} rounds`);
    this.name = 'UnprocessedKeysError';
  }
}

/**
 * Every item of `keys` that exists (at most 100 keys), retrying what DynamoDB leaves
 * unprocessed under load, after a capped, jittered backoff, so a throttled partition is
 * not hammered at once. Order is not preserved.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Item[],
  options: { consistent: boolean; retry?: Partial<BatchGetRetry> },
): Promise<Item[]> {
  const retry = { ...DEFAULT_BATCH_GET_RETRY, ...options.retry };
  const found: Item[] = [];
  let pending = keys;
  for (let round = 1; pending.length > 0; round++) {
    if (round > retry.maxRounds) throw new UnprocessedKeysError(pending.length, retry.maxRounds);
    if (round > 1) {
      await retry.sleep(retry.random() * Math.min(retry.capMs, retry.baseMs * 2 ** (round - 2)));
    }
    const result = await client.send(
      new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } },
      }),
    );
    found.push(...(result.Responses?.[tableName] ?? []));
    pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}
