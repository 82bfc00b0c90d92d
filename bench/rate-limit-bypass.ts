/**
 * Phase 1c's switch: the per-client limiter's window writes (and login reads) answered in
 * this process instead of by DynamoDB, as if every request were the window's first. The
 * holds then cost what they would with no per-client check; app code is untouched, and
 * the limiter's own logic (a few comparisons) still runs.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { rateLimitKeys } from '../shared/db/table.js';

const NAME = 'benchBypassRateLimits';

type KeyValue = string | { S?: string } | undefined;

function isRateWindow(input: unknown): boolean {
  const pk = (input as { Key?: { pk?: KeyValue } }).Key?.pk;
  const value = typeof pk === 'string' ? pk : pk?.S;
  return value?.startsWith(rateLimitKeys.partitionPrefix) ?? false;
}

/** Returns the switch back: removes the bypass. */
export function bypassRateLimits(stack: DynamoDBClient['middlewareStack']): () => void {
  stack.add(
    (next, context) => async (args) => {
      if (!isRateWindow(args.input)) return next(args);
      const $metadata = {};
      switch (context.commandName) {
        case 'UpdateItemCommand':
          return { output: { Attributes: { hits: { N: '1' } }, $metadata } } as never;
        case 'UpdateCommand':
          return { output: { Attributes: { hits: 1 }, $metadata } } as never;
        case 'GetItemCommand':
        case 'GetCommand':
          return { output: { $metadata } } as never;
        default:
          return next(args);
      }
    },
    { step: 'initialize', name: NAME, priority: 'high' },
  );
  return () => {
    stack.remove(NAME);
  };
}
