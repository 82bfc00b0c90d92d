import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../local/dynamodb.js';
import { table } from '../../shared/db/table.js';
import { createTableInput, projectionOf } from '../../shared/db/table-inputs.js';

const client = new DynamoDBClient({ endpoint: inject('dynamoDbEndpoint') });
afterAll(() => client.destroy());

const indexNamesOf = async (tableName: string): Promise<string[]> => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return (Table?.GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName ?? '').sort();
};

const projectionsOf = async (tableName: string) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return Object.fromEntries(
    (Table?.GlobalSecondaryIndexes ?? []).map((gsi) => [gsi.IndexName, gsi.Projection]),
  );
};

const wantedProjections = Object.fromEntries(
  Object.values(table.globalSecondaryIndexes).map((gsi) => [gsi.indexName, projectionOf(gsi)]),
);

const streamOf = async (tableName: string) =>
  (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table
    ?.StreamSpecification;

const allIndexNames = Object.values(table.globalSecondaryIndexes)
  .map((gsi) => gsi.indexName)
  .sort();

describe('ensureTable on the local stack', () => {
  it('creates a missing table with every index of the key design, and its stream', async () => {
    const tableName = `fresh-${Date.now()}`;
    await ensureTable(inject('dynamoDbEndpoint'), tableName);
    expect(await indexNamesOf(tableName)).toEqual(allIndexNames);
    expect(await projectionsOf(tableName)).toEqual(wantedProjections);
    expect(await streamOf(tableName)).toEqual({
      StreamEnabled: true,
      StreamViewType: table.streamViewType,
    });
  });

  it('adds the indexes and the stream a table persisted by an older checkout lacks', async () => {
    const tableName = `older-${Date.now()}`;
    const current = createTableInput(tableName);
    const older = (current.GlobalSecondaryIndexes ?? []).slice(0, 1);
    const keyNames = new Set(
      [...(current.KeySchema ?? []), ...older.flatMap((gsi) => gsi.KeySchema ?? [])].map(
        (key) => key.AttributeName,
      ),
    );
    await client.send(
      new CreateTableCommand({
        ...current,
        AttributeDefinitions: current.AttributeDefinitions?.filter((attribute) =>
          keyNames.has(attribute.AttributeName),
        ),
        GlobalSecondaryIndexes: older,
        StreamSpecification: undefined,
      }),
    );
    expect(await indexNamesOf(tableName)).toHaveLength(1);
    expect(await streamOf(tableName)).toBeUndefined();

    await ensureTable(inject('dynamoDbEndpoint'), tableName);
    expect(await indexNamesOf(tableName)).toEqual(allIndexNames);
    expect(await streamOf(tableName)).toMatchObject({ StreamEnabled: true });
    // The sharded due index carries only what its readers need, as on AWS.
    expect(await projectionsOf(tableName)).toEqual(wantedProjections);

    // Run again, as every start does: nothing left to add, nothing fails.
    await ensureTable(inject('dynamoDbEndpoint'), tableName);
    expect(await indexNamesOf(tableName)).toEqual(allIndexNames);
  });
});
