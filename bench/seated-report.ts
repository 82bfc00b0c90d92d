/**
 * What the seated scenario says at the end: the RESULTS of both phases on the console,
 * `seated-<timestamp>.json`, and the verdict of the two double-sell checks.
 */
import { writeFileSync } from 'node:fs';
import type { BenchOptions } from './options.js';
import { type SeatedHolds, seatedHoldsLines, seatedSummary } from './phases/seated-holds.js';
import type { SeatedSetup } from './phases/seated-setup.js';
import { type Machine, resultsFile } from './report.js';
import { round } from './stats.js';

export interface SeatedRun {
  startedAt: Date;
  options: BenchOptions;
  machine: Machine;
  setup: SeatedSetup;
  pairs: SeatedHolds;
  bestAvailable: SeatedHolds;
}

const phaseResults = (result: SeatedHolds) => ({
  ...seatedSummary(result),
  endings: result.endings,
  cpu: result.cpu,
  dynamoDbCalls: result.calls,
  doubleSellCheck: result.check,
  // [ms since start when answered, latency ms, 'map' | 'hold', answer] per request.
  requests: result.log.samples(),
});

/** Writes the results, prints them and the verdict; returns the exit code. */
export function seatedReport(run: SeatedRun): number {
  const { startedAt, options, pairs, bestAvailable } = run;
  const checks = [pairs.check, bestAvailable.check];
  const pass = checks.every((check) => check.pass);
  const jsonFile = resultsFile(options, startedAt, 'seated', 'json');
  writeFileSync(
    jsonFile,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        options,
        machine: run.machine,
        setupMs: round(run.setup.ms),
        pairs: phaseResults(pairs),
        bestAvailable: phaseResults(bestAvailable),
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    [
      '',
      '================ RESULTS ================',
      ...seatedHoldsLines(pairs),
      '',
      ...seatedHoldsLines(bestAvailable),
      '',
      `Results: ${jsonFile}`,
    ].join('\n'),
  );
  const verdict = pass
    ? 'PASS (no seat sold twice, all counts agree)'
    : checks.some((check) => check.doubleSold)
      ? 'FAIL: DOUBLE-SOLD'
      : 'FAIL: counts disagree';
  console.log(`\nVERDICT: ${verdict}`);
  return pass ? 0 : 1;
}
