import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { rateWindowWrites, type WindowRef } from '../db/entities/rate-window.js';
import { rateLimitKeys } from '../db/table.js';
import type { RateCounter, WindowCount } from '../domain/rate-limits.js';

const countsOf = (item: Record<string, unknown> | undefined, counters: string[]) =>
  Object.fromEntries(counters.map((counter) => [counter, Number(item?.[counter] ?? 0)]));

/**
 * Rate-limit windows as items of the table: 1 WCU per counted request, on the client's
 * own partition key. A refused hit costs its WCU too (a failed condition is billed), which
 * is why the limiter remembers refusals in the container.
 */
export class DynamoRateCounter implements RateCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(
    window: WindowRef,
    quotas: Record<string, number>,
    expiresAt: number,
  ): Promise<WindowCount> {
    const counters = Object.keys(quotas);
    try {
      const { Attributes: item } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          ...rateWindowWrites.hitBelow(window, quotas, expiresAt),
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true, counts: countsOf(item, counters) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client leaves the failed item as raw attribute values.
      const raw = error.Item as Record<string, AttributeValue> | undefined;
      return { admitted: false, counts: countsOf(raw && unmarshall(raw), counters) };
    }
  }

  async record(window: WindowRef, counter: string, expiresAt: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        ...rateWindowWrites.hit(window, counter, expiresAt),
      }),
    );
  }

  async read(window: WindowRef, counter: string): Promise<number> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: rateLimitKeys.window(window.policy, window.client, window.windowStart),
        ConsistentRead: true,
      }),
    );
    return Number(item?.[counter] ?? 0);
  }
}
