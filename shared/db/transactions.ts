import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * Why each item of a cancelled TransactWriteItems failed, in item order (`None` where
 * it did not), or null when the error is not a cancelled transaction.
 */
export function cancellationCodes(error: unknown): (string | undefined)[] | null {
  if (!(error instanceof TransactionCanceledException)) return null;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code);
}
