import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/page.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { QueryFilter } from './expression.js';
import { parseTimeSort, table } from './table.js';

type Item = Record<string, unknown>;

/** Items read per Query round when a filter may drop some; bounds work per request. */
const FILTERED_ROUND_SIZE = 100;
const MAX_QUERY_ROUNDS = 10;

export interface IndexPageRequest {
  index: 'collection' | 'byOwner';
  partition: string;
  /** Rebuilds the table key of the only item type a sort value can belong to here. */
  itemKey: (id: string) => { pk: string; sk: string };
  limit: number;
  cursor?: string;
  /** Sort-key bounds (inclusive); values are `<time>#<id>`. */
  low?: string;
  high?: string;
  newestFirst?: boolean;
  filter?: QueryFilter;
}

/**
 * One page of a time-ordered index partition. A filter may drop items, so a page can
 * take several bounded Query rounds; when a page stops early or reads past its end,
 * the cursor resumes exactly after the last item returned.
 */
export async function queryIndexPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  request: IndexPageRequest,
): Promise<Page<Item>> {
  const gsi = table.globalSecondaryIndexes[request.index];
  const names: Record<string, string> = { '#pk': gsi.partitionKey, ...request.filter?.names };
  const values: Record<string, unknown> = { ':pk': request.partition, ...request.filter?.values };
  let keyCondition = '#pk = :pk';
  const { low, high } = request;
  if (low !== undefined || high !== undefined) names['#sk'] = gsi.sortKey;
  if (low !== undefined && high !== undefined) {
    keyCondition += ' AND #sk BETWEEN :low AND :high';
    Object.assign(values, { ':low': low, ':high': high });
  } else if (low !== undefined) {
    keyCondition += ' AND #sk >= :low';
    values[':low'] = low;
  } else if (high !== undefined) {
    keyCondition += ' AND #sk <= :high';
    values[':high'] = high;
  }
  const keyOf = (sort: string, id: string) => ({
    ...request.itemKey(id),
    [gsi.partitionKey]: request.partition,
    [gsi.sortKey]: sort,
  });

  let startKey: Item | undefined =
    request.cursor === undefined
      ? undefined
      : decodeCursor(request.cursor, {
          sortAttribute: gsi.sortKey,
          rebuild: (sort) => {
            const parts = parseTimeSort(sort);
            return parts && keyOf(sort, parts.id);
          },
          low,
          high,
        });

  const base: QueryCommandInput = {
    TableName: tableName,
    IndexName: gsi.indexName,
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: !request.newestFirst,
    ...(request.filter && { FilterExpression: request.filter.expression }),
  };
  const items: Item[] = [];
  for (let round = 0; round < MAX_QUERY_ROUNDS; round++) {
    const remaining = request.limit - items.length;
    const result = await client.send(
      new QueryCommand({
        ...base,
        Limit: request.filter ? Math.max(remaining, FILTERED_ROUND_SIZE) : remaining,
        ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    if (items.length >= request.limit || startKey === undefined) break;
  }
  if (items.length > request.limit) {
    items.length = request.limit;
    const last = items[items.length - 1] as Item;
    startKey = keyOf(
      last[gsi.sortKey] as string,
      parseTimeSort(last[gsi.sortKey] as string)?.id ?? '',
    );
  }
  return { items, nextCursor: startKey === undefined ? null : encodeCursor(startKey) };
}

/** Items of a due-index partition whose due time is at or before `before`, oldest first. */
export function queryDue(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  before: string,
  limit: number,
): Promise<Item[]> {
  return queryDueRange(client, tableName, { partition, before, limit });
}

export interface DueRangeRequest {
  /** The due index unless given: the sharded one for hot-path work. */
  index?: 'due' | 'dueSharded';
  partition: string;
  /** Due at or before this time... */
  before: string;
  /** ...and, if given, at or after this one. */
  since?: string;
  /** Entries one Query round reads; a filter may keep fewer. */
  limit: number;
  /** Query rounds at most, each resuming where the last stopped; 1 unless given. */
  rounds?: number;
  filter?: QueryFilter;
}

/**
 * Items of a due-index partition due within the request's bounds, oldest first, from at
 * most `rounds` × `limit` entries read: a bounded look, which a partition grown that
 * large cuts short.
 */
export async function queryDueRange(
  client: DynamoDBDocumentClient,
  tableName: string,
  request: DueRangeRequest,
): Promise<Item[]> {
  const due = table.globalSecondaryIndexes[request.index ?? 'due'];
  const names: Record<string, string> = {
    '#pk': due.partitionKey,
    '#sk': due.sortKey,
    ...request.filter?.names,
  };
  // Due values are `<time>#<id>`: the sentinel includes everything due at `before`.
  const values: Record<string, unknown> = {
    ':pk': request.partition,
    ':before': `${request.before}#\uffff`,
    ...request.filter?.values,
  };
  let keyCondition = '#pk = :pk AND #sk <= :before';
  if (request.since !== undefined) {
    keyCondition = '#pk = :pk AND #sk BETWEEN :since AND :before';
    values[':since'] = request.since;
  }
  const base: QueryCommandInput = {
    TableName: tableName,
    IndexName: due.indexName,
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    Limit: request.limit,
    ...(request.filter && { FilterExpression: request.filter.expression }),
  };
  const items: Item[] = [];
  let startKey: Item | undefined;
  for (let round = 0; round < (request.rounds ?? 1); round++) {
    const page = await client.send(
      new QueryCommand({ ...base, ...(startKey && { ExclusiveStartKey: startKey }) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
    if (startKey === undefined) break;
  }
  return items;
}

/**
 * Every item of one table partition, page after page, that passes `filter` if given;
 * eventually consistent unless `consistent`.
 */
export async function queryPartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  options: { consistent?: boolean; filter?: QueryFilter } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        // `_` is outside the builder's placeholder alphabet, so these never meet the filter's.
        KeyConditionExpression: '#_pk = :_pk',
        ExpressionAttributeNames: { '#_pk': table.partitionKey, ...options.filter?.names },
        ExpressionAttributeValues: { ':_pk': partition, ...options.filter?.values },
        ...(options.filter && { FilterExpression: options.filter.expression }),
        ...(options.consistent && { ConsistentRead: true }),
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}
