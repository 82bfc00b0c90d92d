import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchGetAll, UnprocessedKeysError } from '../../shared/db/batch-get.js';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = 'unit-test-table';

const key = (n: number) => ({ pk: `K#${n}`, sk: 'X' });
const item = (n: number) => ({ ...key(n), n });

let delays: number[];
/** Records each wait instead of waiting; `random` at its maximum shows each cap. */
const retry = (random = () => 0.999) => ({
  sleep: async (ms: number) => {
    delays.push(ms);
  },
  random,
});

beforeEach(() => {
  ddb.reset();
  delays = [];
});

describe('batchGetAll', () => {
  it('retries unprocessed keys after growing, jittered delays and returns every item', async () => {
    // Prepare: two rounds leave keys unprocessed, the third takes the rest
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [item(1)] },
        UnprocessedKeys: { [TABLE]: { Keys: [key(2), key(3)] } },
      })
      .resolvesOnce({
        Responses: { [TABLE]: [item(2)] },
        UnprocessedKeys: { [TABLE]: { Keys: [key(3)] } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [item(3)] } });

    // Act
    const found = await batchGetAll(client, TABLE, [key(1), key(2), key(3)], {
      consistent: true,
      retry: retry(),
    });

    // Assess
    expect(found).toEqual([item(1), item(2), item(3)]);
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 3);
    expect(ddb.commandCalls(BatchGetCommand)[2]?.args[0].input.RequestItems).toEqual({
      [TABLE]: { Keys: [key(3)], ConsistentRead: true },
    });
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeCloseTo(25 * 0.999);
    expect(delays[1]).toBeCloseTo(50 * 0.999);
  });

  it('waits a random share of the step (full jitter), never more than the cap', async () => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({ UnprocessedKeys: { [TABLE]: { Keys: [key(1)] } } });

    // Act
    const error = await batchGetAll(client, TABLE, [key(1)], {
      consistent: false,
      retry: { ...retry(() => 0.5), baseMs: 100, capMs: 300, maxRounds: 5 },
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(UnprocessedKeysError);
    expect(delays).toEqual([50, 100, 150, 150]);
  });

  it('throws a clear error when keys stay unprocessed through every round', async () => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [item(1)] },
      UnprocessedKeys: { [TABLE]: { Keys: [key(2)] } },
    });

    // Act
    const error = await batchGetAll(client, TABLE, [key(1), key(2)], {
      consistent: true,
      retry: retry(),
    }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(UnprocessedKeysError);
    expect((error as Error).message).toBe('BatchGetItem left 1 keys unprocessed after 8 rounds');
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 8);
    expect(delays).toHaveLength(7);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    expect(delays.at(-1)).toBeCloseTo(1000 * 0.999);
  });
});
