import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ItemExpression } from '../../shared/db/expression.js';
import { TableWriter } from '../../shared/db/transactions.js';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'unit-test-table';
const writer = new TableWriter(DynamoDBDocumentClient.from(new DynamoDBClient({})), TABLE);
const KEY = { pk: 'THING#1', sk: 'THING' };

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => {
  ddb.reset();
});

describe('TableWriter.putIf', () => {
  const write = { Item: { ...KEY, n: 1 }, ...new ItemExpression().whenAbsent().toCondition() };

  it('puts the item with its condition into the table, and answers true', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const written = await writer.putIf(write);

    // Assess
    expect(written).toBe(true);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, { TableName: TABLE, ...write });
  });

  it('answers false when the condition failed, and throws anything else', async () => {
    ddb.on(PutCommand).rejectsOnce(conditionFailed()).rejectsOnce(new Error('throttled'));

    expect(await writer.putIf(write)).toBe(false);
    await expect(writer.putIf(write)).rejects.toThrow('throttled');
  });
});

describe('TableWriter.updateIfReturning', () => {
  const write = { Key: KEY, ...new ItemExpression().set('n', 2).whenPresent().toUpdate() };

  it('asks for the item as written, and answers it', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { ...KEY, n: 2 } });

    // Act
    const item = await writer.updateIfReturning(write);

    // Assess
    expect(item).toEqual({ ...KEY, n: 2 });
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      TableName: TABLE,
      ...write,
      ReturnValues: 'ALL_NEW',
    });
  });

  it('answers null when the condition failed, and throws anything else', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).rejectsOnce(new Error('throttled'));

    expect(await writer.updateIfReturning(write)).toBeNull();
    await expect(writer.updateIfReturning(write)).rejects.toThrow('throttled');
  });
});
