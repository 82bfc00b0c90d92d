import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one place that owns the single-table key design. The CDK table, the local
 * table and every key the adapters build come from here, so they cannot drift.
 *
 * Items:
 *   EVENT#<id> / META         descriptive event fields; carries both listing GSIs
 *   EVENT#<id> / INVENTORY    status, limits and ticket types with live counters —
 *                             kept apart from META so the hot hold path writes one
 *                             small item instead of the whole event description
 *   USER#<id> / PROFILE       name, email, roles, location; in the users collection
 *   EMAIL#<email> / CLAIM     one per address: makes emails unique across users
 *   CREDENTIAL#<email> / LOCAL  the local identity provider's password hash (never on AWS)
 *   TOKEN#<jti> / REVOKED     a logged-out access token, until it would expire (TTL)
 */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after. */
  timeToLiveAttribute: 'ttl',
  globalSecondaryIndexes: {
    /** A collection in time order: events by status, all users. */
    collection: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
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

/** Sort value for time-ordered collections: ISO times sort lexically; the id breaks ties. */
const timeSort = (isoTime: string, id: string): string => `${isoTime}#${id}`;

/** The inverse of a time sort value, or null when it is not one. */
export function parseTimeSort(sort: string): { time: string; id: string } | null {
  const separator = sort.lastIndexOf('#');
  const time = sort.slice(0, separator);
  const id = sort.slice(separator + 1);
  return separator < 1 || id === '' ? null : { time, id };
}

export const eventKeys = {
  meta: (eventId: string): PrimaryKey => ({ pk: `${EVENT_PREFIX}${eventId}`, sk: 'META' }),
  inventory: (eventId: string): PrimaryKey => ({
    pk: `${EVENT_PREFIX}${eventId}`,
    sk: 'INVENTORY',
  }),
  partition: (eventId: string): string => `${EVENT_PREFIX}${eventId}`,
  byStatusPartition: (status: string): string => `STATUS#${status}`,
  byOrganizerPartition: (organizerId: string): string => `ORGANIZER#${organizerId}`,
  startsAtSort: timeSort,
} as const;

export const userKeys = {
  profile: (userId: string): PrimaryKey => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /** Emails compare case-insensitively, as mail systems do in practice. */
  emailClaim: (email: string): PrimaryKey => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'CLAIM' }),
  localCredential: (email: string): PrimaryKey => ({
    pk: `CREDENTIAL#${email.toLowerCase()}`,
    sk: 'LOCAL',
  }),
  collectionPartition: 'USERS',
  createdAtSort: timeSort,
} as const;

export const tokenKeys = {
  revoked: (tokenId: string): PrimaryKey => ({ pk: `TOKEN#${tokenId}`, sk: 'REVOKED' }),
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
