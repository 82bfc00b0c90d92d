import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { emailCapWrites } from '../db/entities/email-cap.js';
import { TableWriter } from '../db/transactions.js';
import type { RecipientCap } from '../domain/email-ports.js';

const HOUR_MS = 3_600_000;

/** `limit` emails per address per clock hour, counted in the table (a fixed window). */
export class DynamoRecipientCap implements RecipientCap {
  private readonly writer: TableWriter;

  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    private readonly limit: number,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  take(address: string, now: Date): Promise<boolean> {
    const start = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    const window = { start: new Date(start), end: new Date(start + HOUR_MS) };
    return this.writer.updateIf(emailCapWrites.take(address, window, this.limit));
  }
}
