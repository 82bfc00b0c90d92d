import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ItemExpression } from '../../shared/db/expression.js';
import { TableWriter } from '../../shared/db/transactions.js';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'unit-test-table';
const writer = new TableWriter(DynamoDBDocumentClient.from(new DynamoDBClient({})), TABLE);
const KEY = { pk: 'THING#1', sk: 'THING' };

const conditionFailed = (item?: Record<string, AttributeValue>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item && { Item: item }),
  });

beforeEach(() => {
  ddb.reset();
});

describe('TableWriter.putIf', () => {
  const write = { Item: { ...KEY, n: 1 }, ...new ItemExpression().whenAbsent().toCondition() };

  it('puts the item with its condition into the table, and answers ok', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const outcome = await writer.putIf(write);

    // Assess
    expect(outcome).toEqual({ ok: true });
    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input).toEqual({ TableName: TABLE, ...write });
  });

  it('answers not ok when the condition failed, and throws anything else', async () => {
    ddb.on(PutCommand).rejectsOnce(conditionFailed()).rejectsOnce(new Error('throttled'));

    expect(await writer.putIf(write)).toEqual({ ok: false, item: undefined });
    await expect(writer.putIf(write)).rejects.toThrow('throttled');
  });

  it('asked to, hands back the item that failed the condition, as a document', async () => {
    // Prepare
    const current = { ...KEY, n: 0, tags: ['a'] };
    ddb.on(PutCommand).rejects(conditionFailed(marshall(current)));

    // Act
    const outcome = await writer.putIf(write, { returnItemOnFailure: true });

    // Assess
    expect(outcome).toEqual({ ok: false, item: current });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
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
