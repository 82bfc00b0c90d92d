/**
 * `--control`: the bench's proof that its oversell check can fail. A middleware on the
 * shared DynamoDB client removes the stock guard (`… #available >= :takeN`) from the
 * hold transaction's INVENTORY update, in this process only, so the holds race
 * unguarded. The check must then report FAIL: OVERSOLD and the bench exit 1. App code is
 * untouched.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const GUARD = /#available >= (:take\d+)/;

type TransactItem = {
  Update?: {
    Key?: { sk?: unknown };
    ConditionExpression?: string;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
};

export function removeStockGuard(stack: DynamoDBClient['middlewareStack']): void {
  stack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      const input = args.input as { TransactItems?: TransactItem[] };
      const items = (input.TransactItems ?? []).map((item) => {
        const update = item.Update;
        if (update?.Key?.sk !== 'INVENTORY' || !update.ConditionExpression) return item;
        const values = { ...update.ExpressionAttributeValues };
        const kept = update.ConditionExpression.split(' AND ').filter((clause) => {
          const guard = GUARD.exec(clause);
          if (guard?.[1]) delete values[guard[1]];
          return !guard;
        });
        return {
          Update: {
            ...update,
            ConditionExpression: kept.join(' AND '),
            ExpressionAttributeValues: values,
          },
        };
      });
      return next({ ...args, input: { ...input, TransactItems: items } as typeof args.input });
    },
    { step: 'initialize', name: 'benchRemoveStockGuard', priority: 'high' },
  );
}
