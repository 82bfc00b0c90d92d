import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one place that owns the single-table key design. The CDK table, the local
 * table and every key the adapters build come from here, so they cannot drift.
 *
 * Items:
 *   EVENT#<id> / META       descriptive event fields; carries both listing GSIs
 *   EVENT#<id> / INVENTORY  status, limits and ticket types with live counters —
 *                           kept apart from META so the hot hold path writes one
 *                           small item instead of the whole event description
 */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
  globalSecondaryIndexes: {
    /** Events by status, ordered by start time: the public listing. */
    byStatus: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Events by organizer, ordered by start time. */
    byOrganizer: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export type IndexName = keyof typeof table.globalSecondaryIndexes;

export type PrimaryKey = {
  pk: string;
  sk: string;
};

const EVENT_PREFIX = 'EVENT#';

export const eventKeys = {
  meta: (eventId: string): PrimaryKey => ({ pk: `${EVENT_PREFIX}${eventId}`, sk: 'META' }),
  inventory: (eventId: string): PrimaryKey => ({
    pk: `${EVENT_PREFIX}${eventId}`,
    sk: 'INVENTORY',
  }),
  partition: (eventId: string): string => `${EVENT_PREFIX}${eventId}`,
  byStatusPartition: (status: string): string => `STATUS#${status}`,
  byOrganizerPartition: (organizerId: string): string => `ORGANIZER#${organizerId}`,
  /** Sort value for both listing GSIs: ISO start times sort lexically; the id breaks ties. */
  startsAtSort: (startsAt: string, eventId: string): string => `${startsAt}#${eventId}`,
} as const;

/** Attribute names that make up the key of a given index (table key included, as DynamoDB pages need them). */
export function keyAttributesOf(index: IndexName | 'table'): string[] {
  const base = [table.partitionKey, table.sortKey];
  if (index === 'table') return base;
  const gsi = table.globalSecondaryIndexes[index];
  return [...base, gsi.partitionKey, gsi.sortKey];
}

/** CreateTable input for DynamoDB Local and integration tests; the CDK stack builds the same shape. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const gsis = Object.values(table.globalSecondaryIndexes);
  const attributeNames = [
    table.partitionKey,
    table.sortKey,
    ...gsis.flatMap((gsi) => [gsi.partitionKey, gsi.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeNames.map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: gsis.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
