/**
 * A bench-only look inside the DynamoDB calls the app makes, without touching app code:
 * a middleware on the shared client's stack that counts every call (and the error each
 * failed one ended in), and, while `capturing`, also asks for ReturnConsumedCapacity
 * and records what came back. It asks for 'INDEXES': the same `CapacityUnits` total as
 * 'TOTAL', plus the split between the table and each index.
 */
import type { AttributeValue, ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { fmt, round } from './stats.js';

type Stack = DynamoDBClient['middlewareStack'];

/** Calls the capacity field applies to; DynamoDB refuses it on the others. */
const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
]);

export interface CapturedCall {
  client: string;
  command: string;
  /** The input as the app built it (document form for the document client). */
  input: Record<string, unknown>;
  consumed: ConsumedCapacity[] | null;
  /** Items a Query or Scan returned. */
  count?: number;
  error?: string;
}

/** Units by where they were spent: the table, and each global secondary index. */
export function unitsBreakdown(consumed: ConsumedCapacity[] | null): Record<string, number> | null {
  if (consumed === null) return null;
  const split: Record<string, number> = {};
  for (const entry of consumed) {
    if (entry.Table?.CapacityUnits !== undefined) {
      split.table = (split.table ?? 0) + entry.Table.CapacityUnits;
    }
    for (const [name, index] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
      split[name] = (split[name] ?? 0) + (index.CapacityUnits ?? 0);
    }
  }
  return split;
}

export interface CallCounts {
  calls: number;
  /** Summed latency of these calls, as the app saw it (SDK retries included). */
  totalMs: number;
  errors: Record<string, number>;
}

/** `Command calls-per-request (avg ms; errors)`, one per command, for the report. */
export function formatCallCounts(counts: Record<string, CallCounts>, requests: number): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, { calls, totalMs, errors }]) => {
      const errorText = Object.entries(errors)
        .map(([name, n]) => `${n} ${name}`)
        .join(', ');
      return (
        `${command.replace(/Command$/, '')} ${round(calls / requests, 2)} ` +
        `(avg ${fmt(totalMs / Math.max(1, calls))} ms${errorText ? `; ${errorText}` : ''})`
      );
    })
    .join(', ');
}

export class DynamoProbe {
  capturing = false;
  readonly captured: CapturedCall[] = [];
  private counts = new Map<string, CallCounts>();

  attach(stack: Stack, client: string): void {
    stack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? 'unknown');
        const counts = this.counts.get(command) ?? { calls: 0, totalMs: 0, errors: {} };
        counts.calls++;
        this.counts.set(command, counts);
        const started = performance.now();
        const capture = this.capturing && CAPACITY_COMMANDS.has(command);
        const input = args.input as Record<string, unknown>;
        try {
          const result = await next(
            capture
              ? {
                  ...args,
                  input: { ...input, ReturnConsumedCapacity: 'INDEXES' } as typeof args.input,
                }
              : args,
          );
          if (capture) {
            const output = result.output as {
              ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[];
              Count?: number;
            };
            this.captured.push({
              client,
              command,
              input,
              consumed:
                output.ConsumedCapacity === undefined ? null : [output.ConsumedCapacity].flat(),
              ...(typeof output.Count === 'number' && { count: output.Count }),
            });
          }
          counts.totalMs += performance.now() - started;
          return result;
        } catch (error) {
          counts.totalMs += performance.now() - started;
          const name = (error as Error).name ?? 'Error';
          counts.errors[name] = (counts.errors[name] ?? 0) + 1;
          if (capture) this.captured.push({ client, command, input, consumed: null, error: name });
          throw error;
        }
      },
      { step: 'initialize', name: `benchProbe-${client}`, priority: 'high' },
    );
  }

  /** Calls per command since the last reset. */
  snapshot(): Record<string, CallCounts> {
    return Object.fromEntries(
      [...this.counts].map(([command, counts]) => [
        command,
        { ...counts, errors: { ...counts.errors } },
      ]),
    );
  }

  reset(): void {
    this.counts = new Map();
    this.captured.length = 0;
  }
}

/**
 * DynamoDB's item size, as the documentation defines it: attribute names plus values;
 * strings and binaries by byte length, numbers about one byte per two significant
 * digits plus one, lists and maps 3 bytes plus 1 per element. An estimate within a few
 * bytes, which is all the 1 KB write-unit rounding needs.
 */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (size, [name, value]) => size + Buffer.byteLength(name) + valueSize(value),
    0,
  );
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((size, s) => size + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((size, n) => size + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((size, b) => size + b.byteLength, 0);
  if (value.L) return 3 + value.L.reduce((size, element) => size + 1 + valueSize(element), 0);
  if (value.M) {
    return (
      3 +
      Object.entries(value.M).reduce(
        (size, [name, element]) => size + 1 + Buffer.byteLength(name) + valueSize(element),
        0,
      )
    );
  }
  return 0;
}

function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Size of a document-form item, as the document client would marshall it. */
export function documentItemSize(item: Record<string, unknown>): number {
  return itemSize(
    marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as Record<
      string,
      AttributeValue
    >,
  );
}

/** Write units a transactional write of an item this size costs: 2 per started KB. */
export const transactionalWcu = (bytes: number): number => 2 * Math.max(1, Math.ceil(bytes / 1024));
