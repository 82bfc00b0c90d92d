/**
 * What the seated phases share: buyers on one seated event at the set concurrency over
 * real HTTP, each request logged, then the double-sell check. A buyer is a small client
 * (read the map, hold, try again) and says how it ended.
 */
import { type CallCounts, type DynamoProbe, formatCallCounts } from '../capacity.js';
import type { BenchContext } from '../context.js';
import { type CpuReport, cpuLine } from '../cpu.js';
import {
  type DoubleSellCheck,
  doubleSellCheck,
  doubleSellVerdict,
  type HeldOrder,
} from '../double-sell.js';
import type { HttpClient } from '../http.js';
import { type Answer, measureCpu, type Phase } from '../measure.js';
import { RequestLog } from '../request-log.js';
import type { SeatedEvent } from '../seated-api.js';
import { fmt, fmtLatency, perSecond, summarize } from '../stats.js';
import { withClient } from '../stop.js';
import type { Actor } from '../users.js';

/**
 * A buyer tries to hold this often (again after 409 SEAT_UNAVAILABLE or
 * CONCURRENT_MODIFICATION) before it gives up.
 */
export const MAX_HOLD_ATTEMPTS = 20;

export interface BuyerTools {
  http: HttpClient;
  log: RequestLog;
  /** Records a 201, for the check. */
  held: (order: HeldOrder) => void;
}

/** One buyer's whole attempt; `kind` says why it ended without seats. */
export type Buyer = (customer: Actor, tools: BuyerTools) => Promise<Answer>;

export interface SeatedHolds {
  title: string;
  event: SeatedEvent;
  /** Per buyer, from `measure`: held, sold out (gave up) or other. */
  phase: Phase;
  /** Why buyers went without seats: `409 SOLD_OUT`, `no adjacent pair left`, … */
  endings: Record<string, number>;
  log: RequestLog;
  held: HeldOrder[];
  cpu: CpuReport;
  /** The app's DynamoDB calls during the phase, by command. */
  calls: Record<string, CallCounts>;
  check: DoubleSellCheck;
}

/** Runs one buyer per customer in `customers` against `event`, then checks the event. */
export async function seatedHolds(
  ctx: BenchContext,
  probe: DynamoProbe,
  phase: { title: string; label: string; event: SeatedEvent; customers: readonly Actor[] },
  buyer: Buyer,
): Promise<SeatedHolds> {
  const { options } = ctx;
  const held: HeldOrder[] = [];
  const endings: Record<string, number> = {};
  const log = new RequestLog();
  const measured = await withClient(ctx.apiUrl, options.concurrency, async (http) => {
    probe.reset();
    const result = await measureCpu(
      ctx.measure,
      ctx.javaPid,
      phase.label,
      phase.customers.length,
      async (index) => {
        const ended = (kind: string) => {
          endings[kind] = (endings[kind] ?? 0) + 1;
        };
        try {
          const answer = await buyer(phase.customers[index] as Actor, {
            http,
            log,
            held: (order) => held.push(order),
          });
          if (answer.outcome !== 'held') ended(answer.kind ?? 'unknown');
          return answer;
        } catch (error) {
          // No answer at all (a reset socket, say): `measure` counts it as `other` too.
          ended((error as Error).name || 'Error');
          throw error;
        }
      },
    );
    return { ...result, calls: probe.snapshot() };
  });
  const check = await doubleSellCheck(ctx.client, ctx.tableName, phase.event, held);
  return { title: phase.title, event: phase.event, ...measured, endings, log, held, check };
}

/** The figures of a seated phase, for the report and the results file. */
export function seatedSummary({ phase, log, held, calls }: SeatedHolds) {
  const transactions = calls.TransactWriteItemsCommand;
  const seats = held.reduce((sum, order) => sum + order.seatIds.length, 0);
  const holds = log.count('hold');
  const conflicts = log.count('hold', '409 SEAT_UNAVAILABLE');
  const rejected = log.requests.filter((r) => r.kind === 'hold' && r.answer.startsWith('409'));
  return {
    buyers: phase.samples.length,
    buyersHeld: phase.counts.held,
    seatsHeld: seats,
    wallMs: phase.totalMs,
    successWindowMs: phase.lastSuccessMs,
    /** Held seats ÷ the whole phase. */
    seatsPerSecond: perSecond(seats, phase.totalMs),
    /** Held seats ÷ the time until the last 201, the GA bench's selling window. */
    seatsPerSecondUntilLast201: perSecond(seats, phase.lastSuccessMs),
    holdRequests: holds,
    mapRequests: log.count('map'),
    requests: log.requests.length,
    conflicts,
    conflictsPerSuccess: held.length ? conflicts / held.length : Number.NaN,
    /**
     * The app's hold transactions, and those a taken seat or a write conflict cancelled:
     * a best-available hold's lost races show here, not as 409s.
     */
    cancelledTransactions: transactions?.errors.TransactionCanceledException ?? 0,
    transactions: transactions?.calls ?? 0,
    latencyMs: {
      holdsByAnswer: log.byAnswer('hold'),
      holds409: summarize(rejected.map((r) => r.ms)),
      mapPages: log.byAnswer('map'),
    },
  };
}

const tally = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, n]) => `${n}× ${kind}`)
    .join(', ') || 'none';

export function seatedHoldsLines(result: SeatedHolds): string[] {
  const { phase, check, event } = result;
  const summary = seatedSummary(result);
  const answers = Object.entries(summary.latencyMs.holdsByAnswer);
  const mapAnswers = Object.entries(summary.latencyMs.mapPages);
  const { found } = check;
  return [
    result.title,
    `   buyers: ${phase.counts.held} held | ${phase.counts.soldOut + phase.counts.other} without seats: ${tally(result.endings)}`,
    `   seats sold/s ${fmt(summary.seatsPerSecond)}  (${summary.seatsHeld} seats in ${fmt(phase.totalMs / 1000, 2)} s, the whole phase; ` +
      `${fmt(summary.seatsPerSecondUntilLast201)}/s until the last 201 at ${fmt(phase.lastSuccessMs / 1000, 2)} s)`,
    `   requests: ${summary.requests} in all; ${summary.holdRequests} holds (${answers.map(([a, l]) => `${a} ${l.count}`).join(' | ')}), ` +
      `${summary.mapRequests} map pages${mapAnswers.some(([a]) => a !== '200') ? ` (${mapAnswers.map(([a, l]) => `${a} ${l.count}`).join(' | ')})` : ''}`,
    `   conflicts per success: ${fmt(summary.conflictsPerSuccess, 2)}  (${summary.conflicts} × 409 SEAT_UNAVAILABLE ÷ ${result.held.length} × 201); ` +
      `hold transactions ${summary.transactions}, ${summary.cancelledTransactions} cancelled (a seat taken first, or a write conflict)`,
    `   latency ${answers.map(([a, l]) => `${a}: ${fmtLatency(l)}`).join(' | ')}` +
      (answers.filter(([a]) => a.startsWith('409')).length > 1
        ? ` | all 409: ${fmtLatency(summary.latencyMs.holds409)}`
        : ''),
    ...(mapAnswers.length
      ? [`   latency map page: ${mapAnswers.map(([a, l]) => `${a}: ${fmtLatency(l)}`).join(' | ')}`]
      : []),
    `   DynamoDB calls per request: ${formatCallCounts(result.calls, Math.max(1, summary.requests))}`,
    `   ${cpuLine(result.cpu, Math.max(1, summary.requests))}`,
    `   DOUBLE-SELL CHECK (strongly consistent reads): seat items ${found.seatItems}, seats in orders ${found.seatsInOrders}, ` +
      `INVENTORY held ${found.held} / available ${found.available} / sold ${found.sold} of ${event.capacity}, ` +
      `orders ${found.ordersInTable} (${found.liveOrders} live, ${found.ordersWithout201} without a 201), ` +
      `seats in two orders ${found.seatsInTwoOrders}, ` +
      `wrong 201s ${found.wrong201s}, stray seat items ${found.straySeatItems}`,
    ...Object.entries(check.checks).map(([name, ok]) => `     ${ok ? 'ok  ' : 'FAIL'} ${name}`),
    `   orphan seats left (available, both neighbours taken or a row end): ${found.orphanSeats}`,
    `   ${doubleSellVerdict(check)}`,
  ];
}
