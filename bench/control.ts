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
 *   fanout: the trailing push. Every push after the first is refused its window and
 *       told that a push begun after its batch arrived covers it, so it drops the batch:
 *       a broadcaster that trusts some other push to deliver the last state. The
 *       followers stay on the first push, and the final-state check must report FAIL.
 * Either way the bench must exit 1.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

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

export function dropRefusedPushes(stack: DynamoDBClient['middlewareStack']): void {
  let claims = 0;
  stack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: { sk?: unknown }; UpdateExpression?: string };
      const claim =
        context.commandName === 'UpdateItemCommand' &&
        input.Key?.sk === 'BROADCAST' &&
        !input.UpdateExpression?.includes('REMOVE');
      if (!claim || claims++ === 0) return next(args);
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: marshall({ startedAt: Number.MAX_SAFE_INTEGER }),
      });
    },
    { step: 'initialize', name: 'benchDropRefusedPushes', priority: 'high' },
  );
}
