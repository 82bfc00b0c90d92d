import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { PutWrite, UpdateWrite } from './entities/writes.js';
import type { ConditionExpressionInput } from './expression.js';
import type { PrimaryKey } from './table.js';

type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const TRANSACTION_ITEM_LIMIT = 100;

/** Transactions that lose to a concurrent one on a hot item retry this often. */
const CONFLICT_RETRIES = 8;

/**
 * Why each item of a cancelled TransactWriteItems failed, in item order (`None` where
 * it did not), or null when the error is not a cancelled transaction.
 */
function cancellationCodes(error: unknown): (string | undefined)[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code);
}

export type TransactOutcome =
  | { ok: true }
  | { ok: false; codes: (string | undefined)[]; items: (Item | undefined)[]; error: unknown };

/**
 * Runs a transaction, retrying (unless `retryConflicts` is false) when it only lost to a
 * concurrent transaction on the same item (a hot event on AWS). Reports which conditions
 * failed, with the items returned for them, instead of throwing; anything else is thrown.
 */
export async function transact(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
  { retryConflicts = true }: { retryConflicts?: boolean } = {},
): Promise<TransactOutcome> {
  if (items.length > TRANSACTION_ITEM_LIMIT) {
    throw new Error(`A transaction of ${items.length} items is over DynamoDB's limit`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const conflictOnly =
        codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
      if (retryConflicts && conflictOnly && attempt < CONFLICT_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        continue;
      }
      const reasons = (error as { CancellationReasons?: { Item?: Item }[] }).CancellationReasons;
      return { ok: false, codes, items: (reasons ?? []).map((reason) => reason.Item), error };
    }
  }
}

/** A write alone: done, or refused by its condition (with the item that failed it, if asked). */
export type WriteOutcome = { ok: true } | { ok: false; item: Item | undefined };

/** A delete as an entity allows it: the key and the condition it is removed under. */
export interface DeleteWrite extends Partial<ConditionExpressionInput> {
  Key: PrimaryKey;
}

/**
 * The one way adapters send entity writes to a table: each write as a transaction item,
 * or alone, conditional writes saying that their condition failed instead of throwing.
 */
export class TableWriter {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  put(write: PutWrite): TransactItem {
    return { Put: { TableName: this.tableName, ...write } };
  }

  update(write: UpdateWrite, options: { returnItemOnFailure?: boolean } = {}): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        ...write,
        ...(options.returnItemOnFailure && { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      },
    };
  }

  delete(write: DeleteWrite): TransactItem {
    return { Delete: { TableName: this.tableName, ...write } };
  }

  transact(items: TransactItem[], options?: { retryConflicts?: boolean }) {
    return transact(this.client, items, options);
  }

  /**
   * One put alone. When its condition fails, `returnItemOnFailure` has DynamoDB hand back
   * the item that failed it, so the caller can tell why without another read.
   */
  async putIf(
    write: PutWrite,
    options: { returnItemOnFailure?: boolean } = {},
  ): Promise<WriteOutcome> {
    return this.outcomeOf(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          ...write,
          ...(options.returnItemOnFailure && { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
        }),
      ),
    );
  }

  /** One conditional update alone: done, or the item as it stood when its condition failed. */
  updateElseItem(write: UpdateWrite): Promise<WriteOutcome> {
    return this.outcomeOf(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          ...write,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
  }

  private async outcomeOf(request: Promise<unknown>): Promise<WriteOutcome> {
    try {
      await request;
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client leaves the failed item as raw attribute values.
      const raw = error.Item as Record<string, AttributeValue> | undefined;
      return { ok: false, item: raw && unmarshall(raw) };
    }
  }

  /** One conditional update alone; false when its condition failed. */
  async updateIf(write: UpdateWrite): Promise<boolean> {
    return this.unlessConditionFails(
      this.client.send(new UpdateCommand({ TableName: this.tableName, ...write })),
    );
  }

  /** One conditional update alone: the whole item as written, or null when its condition failed. */
  async updateIfReturning(write: UpdateWrite): Promise<Item | null> {
    try {
      const { Attributes: item } = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, ...write, ReturnValues: 'ALL_NEW' }),
      );
      return item ?? null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  /** One conditional delete alone; false when its condition failed. */
  async deleteIf(write: DeleteWrite): Promise<boolean> {
    return this.unlessConditionFails(
      this.client.send(new DeleteCommand({ TableName: this.tableName, ...write })),
    );
  }

  private async unlessConditionFails(request: Promise<unknown>): Promise<boolean> {
    try {
      await request;
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
