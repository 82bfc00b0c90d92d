import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { readinessProbeKey } from '../db/table.js';
import type { ReadinessCheck } from '../domain/readiness.js';

/**
 * The table answers a strongly consistent read: a GetItem of a key that is never
 * written, so it costs half a read unit and proves the data plane, the grant and the
 * table's existence. Its absence is the expected answer.
 */
export class DynamoTableCheck implements ReadinessCheck {
  readonly name = 'table';

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async check(signal: AbortSignal): Promise<void> {
    await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: readinessProbeKey,
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
      { abortSignal: signal },
    );
  }
}
