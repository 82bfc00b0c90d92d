import {
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/composition/dynamodb.js';

type Put = Omit<PutCommandInput, 'TableName'> & { TableName: string | undefined };

/** A Put without its condition, and without the placeholders DynamoDB refuses unused. */
function unconditional<P extends Put>(put: P): P {
  const {
    ConditionExpression: _condition,
    ExpressionAttributeNames: _names,
    ExpressionAttributeValues: _values,
    ...rest
  } = put;
  return rest as P;
}

/**
 * The controls' client: the local table's client, except that every Put, alone or in a
 * transaction, loses its condition. An adapter over it shows what its write conditions
 * guard against.
 */
export const unguardedPutsClient = {
  send: (command: unknown) => {
    if (command instanceof PutCommand) {
      return documentClient.send(new PutCommand(unconditional(command.input)));
    }
    if (command instanceof TransactWriteCommand) {
      const TransactItems = (command.input.TransactItems ?? []).map((item) =>
        item.Put ? { ...item, Put: unconditional(item.Put) } : item,
      );
      return documentClient.send(new TransactWriteCommand({ ...command.input, TransactItems }));
    }
    return documentClient.send(command as Parameters<typeof documentClient.send>[0]);
  },
} as unknown as DynamoDBDocumentClient;
