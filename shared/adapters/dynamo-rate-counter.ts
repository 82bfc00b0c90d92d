import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { COUNT, rateWindowWrites } from '../db/entities/rate-window.js';
import { rateLimitKeys } from '../db/table.js';
import { TableWriter } from '../db/transactions.js';
import type { RateCounter, WindowCount } from '../domain/rate-limits.js';

/**
 * Rate-limit windows as items of the table: 1 WCU per counted request, on the client's
 * own partition key. A refused hit costs its WCU too (a failed condition is billed), which
 * is why the limiter remembers refusals in the container.
 */
export class DynamoRateCounter implements RateCounter {
  private readonly writer: TableWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  async hit(
    policy: string,
    client: string,
    windowStart: number,
    quota: number,
    expiresAt: number,
  ): Promise<WindowCount> {
    const item = await this.writer.updateIfReturning(
      rateWindowWrites.hitBelow(policy, client, windowStart, quota, expiresAt),
    );
    return item
      ? { admitted: true, count: Number(item[COUNT]) }
      : { admitted: false, count: quota };
  }

  async record(
    policy: string,
    client: string,
    windowStart: number,
    expiresAt: number,
  ): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        ...rateWindowWrites.hit(policy, client, windowStart, expiresAt),
      }),
    );
  }

  async read(policy: string, client: string, windowStart: number): Promise<number> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: rateLimitKeys.window(policy, client, windowStart),
        ConsistentRead: true,
      }),
    );
    return Number(item?.[COUNT] ?? 0);
  }
}
