/**
 * The bench's one-item stock counters, outside the app's key space (`BENCH#<name>`). The
 * warm-up, the ceiling and the floor all decrement them with this one update, so the
 * floor's stock write is exactly the ceiling's.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PrimaryKey } from '../shared/db/table.js';

export interface Counters {
  key(name: string): PrimaryKey;
  /** Creates or overwrites the counter with `available` units. */
  reset(name: string, available: number): Promise<void>;
  /** Takes one unit if one is left; ConditionalCheckFailedException otherwise. */
  decrement(name: string): Promise<void>;
}

export function benchCounters(client: DynamoDBDocumentClient, tableName: string): Counters {
  const key = (name: string): PrimaryKey => ({ pk: `BENCH#${name}`, sk: 'COUNTER' });
  return {
    key,
    async reset(name, available) {
      await client.send(
        new PutCommand({ TableName: tableName, Item: { ...key(name), available } }),
      );
    },
    async decrement(name) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(name),
          UpdateExpression: 'SET #available = #available - :one',
          ConditionExpression: '#available >= :one',
          ExpressionAttributeNames: { '#available': 'available' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    },
  };
}

/** One decrement as a measured call counts it: soldOut when no unit was left. */
export async function takeUnit(counters: Counters, name: string): Promise<'held' | 'soldOut'> {
  try {
    await counters.decrement(name);
    return 'held';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'soldOut';
    throw error;
  }
}
