import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batch-get.js';
import { type DueRangeRequest, queryDueRange } from './paging.js';
import { table } from './table.js';

type Item = Record<string, unknown>;

/** Shard Queries in flight at once: enough to hide latency, few enough to spare the index. */
const SHARD_READ_CONCURRENCY = 4;
/** BatchGetItem's limit. */
const BATCH_GET_KEYS = 100;

/**
 * The entries of every shard (`partitions`) of the sharded due index within the request's
 * bounds, oldest due first. Each shard is read as `queryDueRange` reads one partition, so
 * `limit` × `rounds` bounds each; a caller that wants the oldest `n` in all asks each for
 * `n` and keeps the first `n` of the merge.
 */
export async function queryDueShards(
  client: DynamoDBDocumentClient,
  tableName: string,
  partitions: readonly string[],
  request: Omit<DueRangeRequest, 'index' | 'partition'>,
): Promise<Item[]> {
  const found: Item[][] = [];
  let next = 0;
  const worker = async () => {
    while (next < partitions.length) {
      const partition = partitions[next++] as string;
      found.push(
        await queryDueRange(client, tableName, { ...request, index: 'dueSharded', partition }),
      );
    }
  };
  await Promise.all(Array.from({ length: SHARD_READ_CONCURRENCY }, worker));
  const { sortKey } = table.globalSecondaryIndexes.dueSharded;
  const dueOf = (item: Item) => String(item[sortKey]);
  return found.flat().sort((a, b) => (dueOf(a) < dueOf(b) ? -1 : dueOf(a) > dueOf(b) ? 1 : 0));
}

/**
 * The table items behind index entries, strongly consistent (the index lags the table and
 * carries only a few attributes), in the entries' order; an item gone since is left out.
 */
export async function itemsOfEntries(
  client: DynamoDBDocumentClient,
  tableName: string,
  entries: readonly Item[],
): Promise<Item[]> {
  const keyOf = (item: Item) => `${item[table.partitionKey]}\u0000${item[table.sortKey]}`;
  const items = new Map<string, Item>();
  for (let start = 0; start < entries.length; start += BATCH_GET_KEYS) {
    const keys = entries.slice(start, start + BATCH_GET_KEYS).map((entry) => ({
      [table.partitionKey]: entry[table.partitionKey],
      [table.sortKey]: entry[table.sortKey],
    }));
    for (const item of await batchGetAll(client, tableName, keys, { consistent: true })) {
      items.set(keyOf(item), item);
    }
  }
  return entries.flatMap((entry) => {
    const item = items.get(keyOf(entry));
    return item ? [item] : [];
  });
}
