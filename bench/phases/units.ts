/**
 * 3. Capacity units: a few holds over HTTP, one at a time, each paid right after, and as
 * many holds on a sold-out event, all with ReturnConsumedCapacity INDEXES added by the
 * probe (app code unchanged). Beside what DynamoDB Local reports, the AWS figure from
 * the sizes of the items each transaction wrote, attributed to their partition keys.
 */
import { type BenchEvent, holdRequest } from '../api.js';
import { type CapturedCall, type DynamoProbe, unitsBreakdown } from '../capacity.js';
import type { BenchContext } from '../context.js';
import { type MeasuredFlow, measureFlow, reportedUnits } from '../flow-units.js';
import type { HttpClient, Reply } from '../http.js';
import { type FlowUnits, itemWcu, type WrittenItem } from '../model.js';
import { fmt, mean, round, summarize } from '../stats.js';
import { checkStop, withClient } from '../stop.js';

const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

interface UnitSample {
  status: number;
  /** The hold request's time here, end to end, with nothing else in flight. */
  ms: number;
  transactWriteWcuReported: number | null;
  transactWriteSplit: Record<string, number> | null;
  hold: MeasuredFlow;
  /** The same order paid (tok_visa) right after: null when the hold got no 201. */
  payment: MeasuredFlow | null;
}

interface RejectionSample {
  status: number;
  flow: MeasuredFlow;
}

export interface Units {
  samples: UnitSample[];
  /** The samples whose hold got 201: only those wrote. */
  held: UnitSample[];
  /** Holds on a sold-out event: each must be refused without a write on the event. */
  rejections: RejectionSample[];
  /** Means over the held samples; null when DynamoDB Local reported no units. */
  wcuReported: number | null;
  wcuTheoretical: number;
  indexWcu: number;
  /** Request units of a whole hold request, of its payment, of a rejection (means). */
  holdFlow: FlowUnits;
  paymentFlow: FlowUnits;
  rejectionFlow: FlowUnits;
  /** p50 of the held samples' `ms`: the time a hold request is in flight, without queueing. */
  holdMsP50: number;
}

async function captured<T>(
  probe: DynamoProbe,
  request: () => Promise<T>,
): Promise<{ result: T; calls: CapturedCall[] }> {
  probe.reset();
  probe.capturing = true;
  try {
    return { result: await request(), calls: [...probe.captured] };
  } finally {
    probe.capturing = false;
  }
}

const transactionOf = (calls: readonly CapturedCall[]) =>
  calls.find(
    (call) =>
      call.command === 'TransactWriteItemsCommand' && !call.error && call.client === 'document',
  );

async function unitSample(
  http: HttpClient,
  ctx: BenchContext,
  probe: DynamoProbe,
  event: BenchEvent,
  token: string,
): Promise<UnitSample> {
  const held = await captured(probe, () =>
    holdRequest(http, event, token, ctx.options.idempotencyKey),
  );
  const transaction = transactionOf(held.calls);
  const hold = await measureFlow(ctx.client, held.calls);
  const orderId = (held.result.body as { id?: string } | null)?.id;
  let payment: MeasuredFlow | null = null;
  if (held.result.status === 201 && orderId) {
    const paid = await captured(probe, () =>
      http.send('POST', `/v1/orders/${orderId}/pay`, {
        token,
        body: { paymentToken: 'tok_visa' },
      }),
    );
    if (paid.result.status === 200) payment = await measureFlow(ctx.client, paid.calls);
  }
  return {
    status: held.result.status,
    ms: held.result.ms,
    transactWriteWcuReported: transaction ? reportedUnits(transaction.consumed) : null,
    transactWriteSplit: transaction ? unitsBreakdown(transaction.consumed) : null,
    hold,
    payment,
  };
}

const meanFlow = (flows: readonly FlowUnits[]): FlowUnits => ({
  writeUnits: flows.length ? round(mean(flows.map((flow) => flow.writeUnits)), 2) : 0,
  readUnits: flows.length ? round(mean(flows.map((flow) => flow.readUnits)), 2) : 0,
});

const tableWcu = (items: readonly WrittenItem[]) =>
  items.reduce((sum, item) => sum + itemWcu(item.bytes, item.transactional), 0);
const indexWcu = (items: readonly WrittenItem[]) =>
  items.reduce(
    (sum, item) => sum + item.indexCopies.length * itemWcu(item.bytes, item.transactional),
    0,
  );

export async function writeUnits(
  ctx: BenchContext,
  probe: DynamoProbe,
  events: { open: BenchEvent; soldOut: BenchEvent },
  tokens: readonly string[],
): Promise<Units> {
  console.log(
    `\n3. Capacity units: ${ctx.options.wcuSamples} holds paid, one at a time, and as many on a sold-out event, ReturnConsumedCapacity INDEXES`,
  );
  const { samples, rejections } = await withClient(ctx.apiUrl, 1, async (http) => {
    const taken: UnitSample[] = [];
    for (const token of tokens) {
      checkStop();
      taken.push(await unitSample(http, ctx, probe, events.open, token));
    }
    // One ticket, taken before anything is measured: the rest are refused.
    const [seller] = tokens;
    if (seller === undefined) throw new Error('Phase 3 needs at least one customer');
    const sold = await holdRequest(http, events.soldOut, seller, ctx.options.idempotencyKey);
    if (sold.status !== 201) throw new Error(`Selling out the sold-out event: ${sold.status}`);
    const refused: RejectionSample[] = [];
    for (const token of tokens) {
      checkStop();
      const { result, calls } = await captured(
        probe,
        (): Promise<Reply> => holdRequest(http, events.soldOut, token, ctx.options.idempotencyKey),
      );
      refused.push({ status: result.status, flow: await measureFlow(ctx.client, calls) });
    }
    return { samples: taken, rejections: refused };
  });
  const held = samples.filter((sample) => sample.status === 201);
  const reported = held
    .map((sample) => sample.transactWriteWcuReported)
    .filter((value): value is number => value !== null);
  return {
    samples,
    held,
    rejections,
    wcuReported: reported.length ? round(mean(reported), 2) : null,
    wcuTheoretical: round(mean(held.map((s) => tableWcu(s.hold.transactionItems))), 2),
    indexWcu: round(mean(held.map((s) => indexWcu(s.hold.transactionItems))), 2),
    holdFlow: meanFlow(held.map((sample) => sample.hold.units)),
    paymentFlow: meanFlow(held.flatMap((sample) => (sample.payment ? [sample.payment.units] : []))),
    rejectionFlow: meanFlow(rejections.map((rejection) => rejection.flow.units)),
    holdMsP50: summarize(held.map((sample) => sample.ms)).p50,
  };
}

function formatSplit(split: Record<string, number> | null): string {
  if (!split || Object.keys(split).length === 0) return '';
  return ` (${Object.entries(split)
    .map(([where, units]) => `${where} ${units}`)
    .join(', ')})`;
}

const callsLine = (calls: MeasuredFlow['calls']) =>
  calls
    .map(
      (call) =>
        `${call.command} ${call.units === null ? 'no units reported' : `${call.units} ${WRITE_COMMANDS.has(call.command) || call.command === 'TransactWriteItems' ? 'WCU' : 'RCU'}`}${call.error ? ` (${call.error})` : ''}`,
    )
    .join('; ');

export function unitsLines(units: Units): string[] {
  const { wcuReported, wcuTheoretical, indexWcu: indexUnits } = units;
  const first = units.held[0];
  return [
    `3. WRITE UNITS per successful hold (${units.held.length} of ${units.samples.length} sample holds got 201)`,
    `   reported by DynamoDB Local (ReturnConsumedCapacity on TransactWriteItems): ${
      wcuReported === null
        ? 'NOT RETURNED — DynamoDB Local sent no ConsumedCapacity'
        : `${wcuReported} WCU${formatSplit(first?.transactWriteSplit ?? null)}`
    }`,
    `   theoretical, table (AWS: a transactional write costs 2 WCU per started KB, per item): ${fmt(wcuTheoretical, 1)} WCU`,
    ...(first?.hold.transactionItems ?? []).map(
      (item) =>
        `     ${`${item.pk} / ${item.sk}`.padEnd(64)} ~${item.bytes} B → ${itemWcu(item.bytes, true)} WCU` +
        (item.indexCopies.length
          ? `  + in ${item.indexCopies.map((copy) => `${copy.index} ${copy.partition}`).join(', ')}`
          : ''),
    ),
    `   theoretical, indexes: + ${fmt(indexUnits, 1)} WCU, each copy at its item's transactional rate (${fmt(indexUnits / 2, 1)} at the standard 1 WCU/KB) → ${fmt(wcuTheoretical + indexUnits / 2, 1)}–${fmt(wcuTheoretical + indexUnits, 1)} WCU per hold in all`,
    `   other calls of one hold: ${callsLine((first?.hold.calls ?? []).filter((call) => call.command !== 'TransactWriteItems'))}`,
    `   its payment: ${callsLine(first?.payment?.calls ?? [])}`,
    `   a hold on a sold-out event (${units.rejections.map((r) => r.status).join(', ')}): ${callsLine(units.rejections[0]?.flow.calls ?? [])}`,
  ];
}
