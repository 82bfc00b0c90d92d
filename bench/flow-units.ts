/**
 * What one request's DynamoDB calls cost on AWS, from the calls the probe captured.
 * DynamoDB Local reports a transaction's units for its total size, where AWS charges
 * each item; and AWS itself reports them per table and index, never per item. So the
 * transaction's items are sized one by one and attributed to their partition keys; the
 * single calls (reads, the limiter's updates) keep the units DynamoDB Local reported.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { table } from '../shared/db/table.js';
import { type CapturedCall, documentItemSize } from './capacity.js';
import { type FlowUnits, itemWcu, type WrittenItem } from './model.js';

const READ_COMMANDS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);
const TRANSACTION = 'TransactWriteItemsCommand';

/** One action of a TransactWriteItems input, in document form. */
interface TransactOp {
  TableName: string;
  Key?: Record<string, unknown>;
  Item?: Record<string, unknown>;
}

export const reportedUnits = (consumed: ConsumedCapacity[] | null): number | null =>
  consumed === null ? null : consumed.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);

/**
 * The items a committed transaction wrote: a Put's own item, else the item read back
 * (nothing else writes it meanwhile, so it is as written; a deleted one counts 1 KB).
 */
export async function transactionItems(
  client: DynamoDBDocumentClient,
  call: CapturedCall,
): Promise<WrittenItem[]> {
  const written: WrittenItem[] = [];
  const actions = (call.input.TransactItems ?? []) as Record<string, TransactOp>[];
  for (const action of actions) {
    const op = Object.values(action)[0];
    if (!op || 'ConditionCheck' in action) continue;
    const item =
      op.Item ??
      (
        await client.send(
          new GetCommand({ TableName: op.TableName, Key: op.Key, ConsistentRead: true }),
        )
      ).Item;
    const key = (item ?? op.Key ?? {}) as Record<string, unknown>;
    written.push({
      pk: String(key.pk),
      sk: String(key.sk),
      bytes: item ? documentItemSize(item) : 0,
      transactional: true,
      // Every index the item sits in (projection ALL) gets a copy of the change.
      indexCopies: Object.values(table.globalSecondaryIndexes)
        .filter((index) => item?.[index.partitionKey] !== undefined)
        .map((index) => ({
          index: index.indexName,
          partition: String(item?.[index.partitionKey]),
        })),
    });
  }
  return written;
}

export interface MeasuredFlow {
  units: FlowUnits;
  /** Items of the committed transactions, sized for AWS. */
  transactionItems: WrittenItem[];
  /** Partition keys of every write, committed or not, transactions included. */
  writtenKeys: string[];
  calls: { command: string; units: number | null; error?: string }[];
}

function writeKeys(call: CapturedCall): string[] {
  if (call.command === TRANSACTION) {
    const actions = (call.input.TransactItems ?? []) as Record<string, TransactOp>[];
    return actions.flatMap((action) =>
      Object.entries(action)
        .filter(([kind]) => kind !== 'ConditionCheck')
        .map(([, op]) => String((op.Item ?? op.Key)?.pk)),
    );
  }
  const key = (call.input.Item ?? call.input.Key) as Record<string, unknown> | undefined;
  return key ? [String(key.pk)] : [];
}

/** Units of one request's captured calls, transactions sized item by item. */
export async function measureFlow(
  client: DynamoDBDocumentClient,
  captured: readonly CapturedCall[],
): Promise<MeasuredFlow> {
  const units: FlowUnits = { writeUnits: 0, readUnits: 0 };
  const items: WrittenItem[] = [];
  for (const call of captured) {
    const reported = reportedUnits(call.consumed) ?? 0;
    if (READ_COMMANDS.has(call.command)) units.readUnits += reported;
    else if (call.command === TRANSACTION && !call.error && call.client === 'document') {
      const written = await transactionItems(client, call);
      items.push(...written);
      for (const item of written) {
        units.writeUnits += itemWcu(item.bytes, true) * (1 + item.indexCopies.length);
      }
    } else units.writeUnits += reported;
  }
  return {
    units,
    transactionItems: items,
    // The raw client only serves the idempotency table, whose keys are not the table's.
    writtenKeys: captured
      .filter((call) => !READ_COMMANDS.has(call.command) && call.client === 'document')
      .flatMap(writeKeys),
    calls: captured.map((call) => ({
      command: call.command.replace(/Command$/, ''),
      units: reportedUnits(call.consumed),
      ...(call.error && { error: call.error }),
    })),
  };
}
