import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

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
export function cancellationCodes(error: unknown): (string | undefined)[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code);
}

export type TransactOutcome =
  | { ok: true }
  | { ok: false; codes: (string | undefined)[]; items: (Item | undefined)[]; error: unknown };

/**
 * Runs a transaction, retrying when it only lost to a concurrent transaction on the
 * same item (a hot event on AWS). Reports which conditions failed, with the items
 * returned for them, instead of throwing; anything else is thrown.
 */
export async function transact(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
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
      if (conflictOnly && attempt < CONFLICT_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        continue;
      }
      const reasons = (error as { CancellationReasons?: { Item?: Item }[] }).CancellationReasons;
      return { ok: false, codes, items: (reasons ?? []).map((reason) => reason.Item), error };
    }
  }
}
