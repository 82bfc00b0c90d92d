/**
 * 2. The ceiling: N raw conditional UpdateItems (take one if one is left) on one counter
 * of C, at the same concurrency in the same DynamoDB Local. Its success window is short
 * (C updates at ~1000/s), so one pause skews it: several rounds, each on a fresh counter,
 * and the median round counts. Each round is followed by one round of the floor (2b,
 * floor.ts), so both see the same JVM.
 */
import { cpus } from 'node:os';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CallCounts } from '../capacity.js';
import type { BenchContext } from '../context.js';
import { type Counters, takeUnit } from '../counter.js';
import { type CpuReport, cpuLine } from '../cpu.js';
import {
  measureCpu,
  type Phase,
  type PhaseSummary,
  phaseSummary,
  successRate,
} from '../measure.js';
import { fmt, fmtLatency, medianBy } from '../stats.js';
import { type Floor, type FloorDeps, floorLines, floorOf, floorRound } from './floor.js';
import type { HttpHolds } from './http-holds.js';
import type { InProcessHolds } from './in-process-holds.js';

export interface CeilingRound {
  phase: Phase;
  cpu: CpuReport;
  /** The counter's `available` after the round: 0 once C updates succeeded. */
  counterLeft: unknown;
}

export interface Ceiling {
  rounds: CeilingRound[];
  median: CeilingRound;
  summary: PhaseSummary;
  floor: Floor;
}

export async function ceilingAndFloor(
  ctx: BenchContext,
  counters: Counters,
  users: FloorDeps['users'],
  customers: FloorDeps['customers'],
): Promise<Ceiling> {
  const { options } = ctx;
  console.log(
    `\n2. Ceiling: ${options.ceilingRounds} × ${options.buyers} conditional UpdateItem on one counter of ${options.capacity},` +
      `\n   each round followed by 2b, the floor: the same update + order PutItem, without and with the authorizer's BatchGet`,
  );
  const floorDeps: FloorDeps = {
    client: ctx.client,
    tableName: ctx.tableName,
    counters,
    users,
    customers,
    capacity: options.capacity,
    measure: ctx.measure,
  };
  const floorRounds: Awaited<ReturnType<typeof floorRound>>[] = [];
  const rounds: CeilingRound[] = [];
  for (let round = 1; round <= options.ceilingRounds; round++) {
    const counter = `ceiling-${round}`;
    await counters.reset(counter, options.capacity);
    const { phase, cpu } = await measureCpu(
      ctx.measure,
      ctx.javaPid,
      `raw updates ${round}`,
      options.buyers,
      async () => ({ outcome: await takeUnit(counters, counter) }),
    );
    const { Item: left } = await ctx.client.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: counters.key(counter),
        ConsistentRead: true,
      }),
    );
    rounds.push({ phase, cpu, counterLeft: left?.available });
    floorRounds.push(await floorRound(floorDeps, round));
  }
  const median = medianBy(rounds, (r) => successRate(r.phase));
  return { rounds, median, summary: phaseSummary(median.phase), floor: floorOf(floorRounds) };
}

/**
 * HTTP holds/s ÷ raw updates/s, and the same for all answers. Informational: its old
 * target (≥ 0.5) is retired (issue 14); what AWS takes is the CAPACITY MODEL's business.
 */
export function holdRatio(holds: HttpHolds, ceiling: Ceiling) {
  return {
    successes: holds.summary.successesPerSecond / ceiling.summary.successesPerSecond,
    answers: holds.summary.answersPerSecond / ceiling.summary.answersPerSecond,
  };
}

/** The one-line answer to "why is a hold slower than a raw update", from what was measured. */
function whereTimeGoes(
  hold: CpuReport,
  holdRequests: number,
  raw: CpuReport,
  rawRequests: number,
  calls: Record<string, CallCounts>,
): string {
  const perHold = Object.values(calls).reduce((sum, { calls: n }) => sum + n, 0) / holdRequests;
  const nodeRatio = hold.nodeCpuMs / holdRequests / (raw.nodeCpuMs / rawRequests);
  const javaRatio =
    hold.javaCpuMs !== null && raw.javaCpuMs !== null
      ? hold.javaCpuMs / holdRequests / (raw.javaCpuMs / rawRequests)
      : Number.NaN;
  const nodeCores = hold.nodeCpuMs / hold.wallMs;
  const javaCores = hold.javaCpuMs === null ? 0 : hold.javaCpuMs / hold.wallMs;
  const machineCores =
    hold.machineCpuMs === null ? nodeCores + javaCores : hold.machineCpuMs / hold.wallMs;
  const otherCores = Math.max(0, machineCores - nodeCores - javaCores);
  const cores = cpus().length;
  const bottleneck =
    machineCores >= 0.85 * cores
      ? `the ${cores} cores are saturated (java ${fmt(javaCores, 2)}, node ${fmt(nodeCores, 2)}` +
        `${otherCores >= 0.1 ? `, OTHER PROCESSES ${fmt(otherCores, 2)}` : ''} cores)`
      : hold.eventLoopUtilization >= 0.9
        ? "Node's one main thread (gateway + authorizer + handler + this load generator) is saturated"
        : 'no CPU is saturated: waiting on DynamoDB Local bounds it';
  return (
    `a hold is HTTP + authorizer (RS256 verify + BatchGet) + event read (BatchGet of 2 items) + a 3-item TransactWriteItems ` +
    `(${fmt(perHold, 1)} DynamoDB calls vs 1), costing ${fmt(nodeRatio, 1)}× the Node CPU and ` +
    `${fmt(javaRatio, 1)}× the java CPU of a raw update; ${bottleneck}.`
  );
}

/** Sections 2 and 2b of the report, with the ratios that need the holds' figures. */
export function ceilingLines(
  ceiling: Ceiling,
  holds: HttpHolds,
  inProcess: InProcessHolds,
): string[] {
  const { phase: raw, cpu: rawCpu } = ceiling.median;
  const rawRate = ceiling.summary.successesPerSecond;
  const inProcessRate = inProcess.summary.successesPerSecond;
  const holdRate = holds.summary.successesPerSecond;
  const ratio = holdRatio(holds, ceiling);
  const httpHop = holdRate / inProcessRate;
  return [
    '2. CEILING: raw conditional UpdateItem on one counter, same DynamoDB Local, same concurrency',
    `   answers: ok ${raw.counts.held} | ConditionalCheckFailed ${raw.counts.soldOut} | other ${raw.counts.other}; counter left at ${ceiling.rounds.map((r) => r.counterLeft).join(', ')}`,
    `   raw updates/s ${fmt(rawRate)}  (until the last success; the median of rounds at ${ceiling.rounds.map((r) => fmt(successRate(r.phase))).join(', ')}) | all answers/s ${fmt(ceiling.summary.answersPerSecond)}`,
    `   latency ok: ${fmtLatency(ceiling.summary.latencyMs.success)} | rejected: ${fmtLatency(ceiling.summary.latencyMs.rejected)}`,
    `   ${cpuLine(rawCpu, raw.samples.length)}`,
    `   RATIO holds/s ÷ raw updates/s = ${fmt(ratio.successes, 2)} (informational, no target: the AWS figure is the CAPACITY MODEL below); all answers: ${fmt(ratio.answers, 2)}`,
    `   decomposition: raw UpdateItem ${fmt(rawRate)}/s → in-process hold ${fmt(inProcessRate)}/s (×${fmt(inProcessRate / rawRate, 2)}: event read + 3-item transaction) → HTTP hold ${fmt(holdRate)}/s (×${fmt(httpHop, 2)}: gateway, JWT verify, authorizer BatchGet, middy)`,
    `   where the time goes: ${whereTimeGoes(holds.cpu, holds.phase.samples.length, rawCpu, raw.samples.length, holds.calls)}`,
    '',
    ...floorLines(ceiling.floor, rawRate, httpHop),
  ];
}
