/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(mean(sorted)),
  };
}

/** NaN when empty. */
export const mean = (values: readonly number[]): number =>
  values.length ? values.reduce((total, value) => total + value, 0) / values.length : Number.NaN;

export const round = (value: number, digits = 1): number =>
  Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value;

export const perSecond = (count: number, ms: number): number =>
  ms > 0 ? round((count * 1000) / ms) : Number.NaN;

export const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';

/** How the report prints a latency summary. */
export const fmtLatency = (summary: { p50: number; p99: number }): string =>
  `p50 ${fmt(summary.p50)} ms, p99 ${fmt(summary.p99)} ms`;

/** The median item by `value` (the lower one of an even count); throws when empty. */
export function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('median of nothing');
  return median;
}
