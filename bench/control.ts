/**
 * `--control`: the bench's proof that its checks can fail. A middleware on the shared
 * DynamoDB client removes one guard from the hold transaction, in this process only, so
 * the holds race unguarded; app code is untouched.
 *   ga: the stock guard (`… #available >= :takeN`) of the INVENTORY update. The oversell
 *       check must report FAIL: OVERSOLD.
 *   seated: the condition of each seat item's Put (taken only while absent); the stock
 *       guard stays, so this shows what the seat guard alone prevents. Two buyers of one
 *       seat then both get a 201, the second Put overwriting the first, and the
 *       double-sell check must report FAIL: DOUBLE-SOLD.
 * Either way the bench must exit 1.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const GUARD = /#available >= (:take\d+)/;

type TransactItem = {
  Put?: { Item?: { entity?: unknown }; ConditionExpression?: string };
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

export function removeSeatGuard(stack: DynamoDBClient['middlewareStack']): void {
  stack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      const input = args.input as { TransactItems?: TransactItem[] };
      const items = (input.TransactItems ?? []).map((item) => {
        if (item.Put?.Item?.entity !== 'Seat') return item;
        // The condition is the Put's only expression: its names and values go with it.
        const {
          ConditionExpression: _condition,
          ExpressionAttributeNames: _names,
          ExpressionAttributeValues: _values,
          ...put
        } = item.Put as Record<string, unknown>;
        return { Put: put };
      });
      return next({ ...args, input: { ...input, TransactItems: items } as typeof args.input });
    },
    { step: 'initialize', name: 'benchRemoveSeatGuard', priority: 'high' },
  );
}
