/**
 * 3. Write units: a few holds over HTTP, one at a time, with ReturnConsumedCapacity
 * INDEXES added by the probe (app code unchanged); beside what DynamoDB Local reports,
 * the theoretical AWS figure from the sizes of the items the transaction wrote.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { table } from '../../shared/db/table.js';
import { type BenchEvent, holdRequest } from '../api.js';
import {
  type CapturedCall,
  type DynamoProbe,
  documentItemSize,
  transactionalWcu,
  unitsBreakdown,
} from '../capacity.js';
import type { BenchContext } from '../context.js';
import type { HttpClient } from '../http.js';
import { fmt, mean, round } from '../stats.js';
import { checkStop, withClient } from '../stop.js';

const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

const capacityUnits = (consumed: ConsumedCapacity[] | null): number | null =>
  consumed === null ? null : consumed.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);

/** One action of a TransactWriteItems input, in document form. */
interface TransactOp {
  TableName: string;
  Key?: Record<string, unknown>;
  Item?: Record<string, unknown>;
}

interface TransactItemCost {
  kind: string;
  key: string;
  bytes: number;
  /** Transactional rate: 2 WCU per started KB. */
  wcu: number;
  /** Global secondary indexes the written item is in. */
  indexes: string[];
}

interface UnitSample {
  status: number;
  transactWriteWcuReported: number | null;
  transactWriteSplit: Record<string, number> | null;
  transactItems: TransactItemCost[];
  transactWriteWcuTheoretical: number;
  /** Index copies of the written items, 1 WCU per started KB each at the standard rate. */
  indexWcuTheoretical: number;
  calls: { command: string; client: string; unitsReported: number | null; count?: number }[];
}

export interface Units {
  samples: UnitSample[];
  /** The samples whose hold got 201: only those wrote. */
  held: UnitSample[];
  /** Means over the held samples; null when DynamoDB Local reported no units. */
  wcuReported: number | null;
  wcuTheoretical: number;
  indexWcu: number;
}

/** What each item of the hold's transaction costs: a Put's own item, else the one read back. */
async function transactItemCosts(
  client: DynamoDBDocumentClient,
  transaction: CapturedCall | undefined,
): Promise<TransactItemCost[]> {
  const costs: TransactItemCost[] = [];
  const actions = (transaction?.input.TransactItems ?? []) as Record<string, TransactOp>[];
  for (const item of actions) {
    const kind = Object.keys(item)[0] ?? 'unknown';
    const op = item[kind] as TransactOp;
    // Nothing else writes the item now, so reading it back gives it as written.
    const written: Record<string, unknown> | undefined = op.Item
      ? op.Item
      : (
          await client.send(
            new GetCommand({ TableName: op.TableName, Key: op.Key, ConsistentRead: true }),
          )
        ).Item;
    const bytes = written ? documentItemSize(written) : 0;
    costs.push({
      kind,
      key: written ? `${written.pk} / ${written.sk}` : JSON.stringify(op.Key),
      bytes,
      wcu: transactionalWcu(bytes),
      // Every index the item sits in (projection ALL) gets a copy of the change.
      indexes: Object.values(table.globalSecondaryIndexes)
        .filter((index) => written?.[index.partitionKey] !== undefined)
        .map((index) => index.indexName),
    });
  }
  return costs;
}

async function unitSample(
  http: HttpClient,
  ctx: BenchContext,
  probe: DynamoProbe,
  event: BenchEvent,
  token: string,
): Promise<UnitSample> {
  probe.reset();
  probe.capturing = true;
  let status: number;
  try {
    status = (await holdRequest(http, event, token, ctx.options.idempotencyKey)).status;
  } finally {
    probe.capturing = false;
  }
  const captured: CapturedCall[] = [...probe.captured];
  const transaction = captured.find(
    (call) =>
      call.command === 'TransactWriteItemsCommand' && !call.error && call.client === 'document',
  );
  const transactItems = await transactItemCosts(ctx.client, transaction);
  return {
    status,
    transactWriteWcuReported: transaction ? capacityUnits(transaction.consumed) : null,
    transactWriteSplit: transaction ? unitsBreakdown(transaction.consumed) : null,
    transactItems,
    transactWriteWcuTheoretical: transactItems.reduce((sum, item) => sum + item.wcu, 0),
    indexWcuTheoretical: transactItems.reduce(
      (sum, item) => sum + item.indexes.length * Math.ceil(item.bytes / 1024),
      0,
    ),
    calls: captured.map((call) => ({
      command: call.command.replace(/Command$/, ''),
      client: call.client,
      unitsReported: capacityUnits(call.consumed),
      ...(call.count !== undefined && { count: call.count }),
      ...(call.error && { error: call.error }),
    })),
  };
}

export async function writeUnits(
  ctx: BenchContext,
  probe: DynamoProbe,
  event: BenchEvent,
  tokens: readonly string[],
): Promise<Units> {
  console.log(
    `\n3. Capacity units: ${ctx.options.wcuSamples} holds, one at a time, ReturnConsumedCapacity INDEXES`,
  );
  const samples = await withClient(ctx.apiUrl, 1, async (http) => {
    const taken: UnitSample[] = [];
    for (const token of tokens) {
      checkStop();
      taken.push(await unitSample(http, ctx, probe, event, token));
    }
    return taken;
  });
  const held = samples.filter((sample) => sample.status === 201);
  const reported = held
    .map((sample) => sample.transactWriteWcuReported)
    .filter((value): value is number => value !== null);
  return {
    samples,
    held,
    wcuReported: reported.length ? round(mean(reported), 2) : null,
    wcuTheoretical: round(mean(held.map((sample) => sample.transactWriteWcuTheoretical)), 2),
    indexWcu: round(mean(held.map((sample) => sample.indexWcuTheoretical)), 2),
  };
}

function formatSplit(split: Record<string, number> | null): string {
  if (!split || Object.keys(split).length === 0) return '';
  return ` (${Object.entries(split)
    .map(([where, units]) => `${where} ${units}`)
    .join(', ')})`;
}

export function unitsLines(units: Units): string[] {
  const { wcuReported, wcuTheoretical, indexWcu } = units;
  const first = units.held[0];
  return [
    `3. WRITE UNITS per successful hold (${units.held.length} of ${units.samples.length} sample holds got 201)`,
    `   reported by DynamoDB Local (ReturnConsumedCapacity on TransactWriteItems): ${
      wcuReported === null
        ? 'NOT RETURNED — DynamoDB Local sent no ConsumedCapacity'
        : `${wcuReported} WCU${formatSplit(first?.transactWriteSplit ?? null)}`
    }`,
    `   theoretical, table (AWS: a transactional write costs 2 WCU per started KB, per item): ${fmt(wcuTheoretical, 1)} WCU`,
    ...(first?.transactItems ?? []).map(
      (item) =>
        `     ${item.kind.padEnd(7)} ${item.key.padEnd(58)} ~${item.bytes} B → ${item.wcu} WCU` +
        (item.indexes.length ? `  + in ${item.indexes.join(', ')}` : ''),
    ),
    `   theoretical, indexes: + ${fmt(indexWcu, 1)} WCU at the standard 1 WCU/KB per index copy (${fmt(2 * indexWcu, 1)} if charged at the transactional rate, as DynamoDB Local does) → ${fmt(wcuTheoretical + indexWcu, 1)}–${fmt(wcuTheoretical + 2 * indexWcu, 1)} WCU per hold in all`,
    `   other calls of one hold: ${(first?.calls ?? [])
      .filter((call) => call.command !== 'TransactWriteItems')
      .map(
        (call) =>
          `${call.command} ${call.unitsReported === null ? 'no units reported' : `${call.unitsReported} ${WRITE_COMMANDS.has(call.command) ? 'WCU' : 'RCU'}`}${
            call.count !== undefined ? ` (${call.count} items)` : ''
          }`,
      )
      .join('; ')}`,
  ];
}
