import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { type IndexName, idempotencyTable, table } from './table.js';

/*
 * The tables as DynamoDB's CreateTable takes them, derived from the key design in
 * table.ts: DynamoDB Local and the tests create these, and the CDK stack builds the
 * same shape (with `projectionOf` for each index).
 */
/** CreateTable input for the idempotency table, locally and in tests. */
export function createIdempotencyTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: idempotencyTable.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: idempotencyTable.partitionKey, KeyType: 'HASH' }],
  };
}

type IndexDefinition = (typeof table.globalSecondaryIndexes)[IndexName];

/** Every attribute unless the index names the few it carries besides the keys. */
export function projectionOf(gsi: IndexDefinition): {
  ProjectionType: 'ALL' | 'INCLUDE';
  NonKeyAttributes?: string[];
} {
  return 'include' in gsi
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gsi.include] }
    : { ProjectionType: 'ALL' };
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
      Projection: projectionOf(gsi),
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamViewType },
  };
}
