/**
 * 1. Holds over HTTP: N POST /v1/events/{id}/orders (quantity 1), one per customer,
 * through the gateway, the authorizer and the handler, then the oversell check.
 */
import { type BenchEvent, classifyHold, holdRequest } from '../api.js';
import { type CallCounts, type DynamoProbe, formatCallCounts } from '../capacity.js';
import type { BenchContext } from '../context.js';
import { type CpuReport, cpuLine } from '../cpu.js';
import { measureCpu, otherKinds, type Phase, type PhaseSummary, phaseSummary } from '../measure.js';
import type { BenchOptions } from '../options.js';
import { type OversellCheck, oversellCheck, verdict } from '../oversell.js';
import { fmt, fmtLatency } from '../stats.js';
import { withClient } from '../stop.js';
import type { Actor } from '../users.js';

export interface HttpHolds {
  phase: Phase;
  summary: PhaseSummary;
  cpu: CpuReport;
  /** The app's DynamoDB calls during the phase, by command. */
  calls: Record<string, CallCounts>;
  check: OversellCheck;
}

export async function httpHolds(
  ctx: BenchContext,
  probe: DynamoProbe,
  event: BenchEvent,
  customers: readonly Actor[],
  label = '1.',
): Promise<HttpHolds> {
  const { options } = ctx;
  console.log(`\n${label} ${options.buyers} holds over HTTP, ${options.concurrency} in flight`);
  const { phase, cpu, calls } = await withClient(ctx.apiUrl, options.concurrency, async (http) => {
    probe.reset();
    const measured = await measureCpu(
      ctx.measure,
      ctx.javaPid,
      'holds',
      options.buyers,
      async (index) => {
        const token = (customers[index] as Actor).token;
        return classifyHold(await holdRequest(http, event, token, options.idempotencyKey));
      },
    );
    return { ...measured, calls: probe.snapshot() };
  });
  const check = await oversellCheck(ctx.client, ctx.tableName, event, options, phase.counts.held);
  return { phase, summary: phaseSummary(phase), cpu, calls, check };
}

export function httpHoldsLines(
  holds: HttpHolds,
  options: BenchOptions,
  title = '1. HOLDS over HTTP',
): string[] {
  const { phase, summary, check } = holds;
  return [
    `${title} (N=${options.buyers}, C=${options.capacity}, concurrency ${options.concurrency})`,
    `   answers: 201 held ${phase.counts.held} | 409 SOLD_OUT ${phase.counts.soldOut} | other ${phase.counts.other}${otherKinds(phase)}`,
    `   holds/s ${fmt(summary.successesPerSecond)}  (${phase.counts.held} successes in ${fmt(phase.lastSuccessMs / 1000, 2)} s, until the last 201)`,
    `   all answers/s ${fmt(summary.answersPerSecond)}  (${phase.samples.length} in ${fmt(phase.totalMs / 1000, 2)} s)`,
    `   latency 201: ${fmtLatency(summary.latencyMs.success)} | 409: ${fmtLatency(summary.latencyMs.rejected)} | all: ${fmtLatency(summary.latencyMs.all)}`,
    `   DynamoDB calls per hold request: ${formatCallCounts(holds.calls, options.buyers)}`,
    `   ${cpuLine(holds.cpu, phase.samples.length)}`,
    `   OVERSELL CHECK (strongly consistent reads): available ${check.found.available}, held ${check.found.held}, sold ${check.found.sold}, ` +
      `orders ${check.found.ordersInTable}, orderCount ${check.found.orderCount}, customer live tickets ${check.found.customerLiveTickets}`,
    ...Object.entries(check.checks).map(([name, ok]) => `     ${ok ? 'ok  ' : 'FAIL'} ${name}`),
    `   ${verdict(check)}`,
  ];
}
