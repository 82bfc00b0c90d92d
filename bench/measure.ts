/**
 * Every timed phase runs its calls through `measure`: at the set concurrency, each call
 * timed client-side and classified as held, sold out or other, with a progress bar.
 */
import { type CpuReport, startCpuWatch } from './cpu.js';
import type { BenchOptions } from './options.js';
import { runPool } from './pool.js';
import { progress } from './progress.js';
import { perSecond, round, summarize } from './stats.js';
import { checkStop, stopRequested } from './stop.js';
import type { Outcome, Sample } from './svg.js';

export interface Answer {
  outcome: Outcome;
  /** What an `other` answer was: `status code` or the error's name. */
  kind?: string;
}

export type Call = (index: number) => Promise<Answer>;

export interface Phase {
  samples: Sample[];
  /** Answers by outcome; `otherByKind` by `status code`. */
  counts: Record<Outcome, number>;
  otherByKind: Record<string, number>;
  totalMs: number;
  /** When the last success arrived: the window the success rate is measured over. */
  lastSuccessMs: number;
}

/** Runs `count` calls, classifying and timing each one. */
export type Measure = (label: string, count: number, call: Call) => Promise<Phase>;

export function measurer(options: Pick<BenchOptions, 'progress' | 'concurrency'>): Measure {
  return async (label, count, call) => {
    const phase: Phase = {
      samples: [],
      counts: { held: 0, soldOut: 0, other: 0 },
      otherByKind: {},
      totalMs: 0,
      lastSuccessMs: 0,
    };
    const bar = progress(options.progress, label, count);
    const started = performance.now();
    await runPool(
      count,
      options.concurrency,
      async (index) => {
        const begin = performance.now();
        let result: Answer;
        try {
          result = await call(index);
        } catch (error) {
          result = { outcome: 'other', kind: (error as Error).name || 'Error' };
        }
        const end = performance.now();
        phase.samples.push({ end: end - started, ms: end - begin, outcome: result.outcome });
        phase.counts[result.outcome]++;
        if (result.outcome === 'held') phase.lastSuccessMs = end - started;
        if (result.outcome === 'other') {
          const kind = result.kind ?? 'unknown';
          phase.otherByKind[kind] = (phase.otherByKind[kind] ?? 0) + 1;
        }
        bar.tick(
          phase.samples.length,
          `ok ${phase.counts.held}  no ${phase.counts.soldOut}  other ${phase.counts.other}`,
        );
      },
      stopRequested,
    );
    phase.totalMs = performance.now() - started;
    bar.stop();
    checkStop();
    return phase;
  };
}

/** `measure`, and the CPU this process and java spent meanwhile. */
export async function measureCpu(
  measure: Measure,
  javaPid: number | null,
  ...args: Parameters<Measure>
): Promise<{ phase: Phase; cpu: CpuReport }> {
  const cpuWatch = startCpuWatch(javaPid);
  const phase = await measure(...args);
  return { phase, cpu: cpuWatch() };
}

/** Successes per second, over the time until the last success arrived. */
export const successRate = (phase: Phase): number =>
  perSecond(phase.counts.held, phase.lastSuccessMs);

export function phaseSummary(phase: Phase) {
  const latencyOf = (outcome: Outcome) =>
    summarize(phase.samples.filter((sample) => sample.outcome === outcome).map((s) => s.ms));
  return {
    successes: phase.counts.held,
    rejected: phase.counts.soldOut,
    other: phase.counts.other,
    otherByKind: phase.otherByKind,
    wallMs: round(phase.totalMs),
    successWindowMs: round(phase.lastSuccessMs),
    successesPerSecond: successRate(phase),
    /** Every answer per second, over the whole phase. */
    answersPerSecond: perSecond(phase.samples.length, phase.totalMs),
    latencyMs: {
      all: summarize(phase.samples.map((sample) => sample.ms)),
      success: latencyOf('held'),
      rejected: latencyOf('soldOut'),
    },
  };
}

export type PhaseSummary = ReturnType<typeof phaseSummary>;

/** ` (2× 500 INTERNAL, …)` after an answers line when some answers were neither. */
export function otherKinds(phase: Phase): string {
  if (!phase.counts.other) return '';
  return ` (${Object.entries(phase.otherByKind)
    .map(([kind, n]) => `${n}× ${kind}`)
    .join(', ')})`;
}
