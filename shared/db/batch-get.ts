import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * Every item of `keys` that exists (at most 100 keys), retrying what DynamoDB leaves
 * unprocessed under load. Order is not preserved.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Item[],
  options: { consistent: boolean },
): Promise<Item[]> {
  const found: Item[] = [];
  let pending = keys;
  while (pending.length > 0) {
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
