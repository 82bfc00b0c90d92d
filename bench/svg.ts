/**
 * One small self-contained SVG: completions over time (top) and the latency histogram
 * (bottom), each split by outcome. Hand-written, no dependencies.
 */
export type Outcome = 'held' | 'soldOut' | 'other';

export interface Sample {
  /** ms since the phase began, when the answer arrived. */
  end: number;
  ms: number;
  outcome: Outcome;
}

const COLORS: Record<Outcome, string> = { held: '#2e7d32', soldOut: '#9e9e9e', other: '#c62828' };
const LABELS: Record<Outcome, string> = {
  held: '201 held',
  soldOut: '409 sold out',
  other: 'other',
};
const OUTCOMES: Outcome[] = ['held', 'soldOut', 'other'];

const WIDTH = 900;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 45 };

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round step giving about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? raw;
  return step;
}

function panel(options: {
  top: number;
  title: string;
  xLabel: string;
  yLabel: string;
  binWidth: number;
  bins: Record<Outcome, number>[];
  xFormat: (value: number) => string;
}): string {
  const { top, bins, binWidth } = options;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const y0 = top + MARGIN.top + plotHeight;
  const maxY = Math.max(1, ...bins.map((bin) => bin.held + bin.soldOut + bin.other));
  const yStep = niceStep(maxY, 5);
  const yMax = Math.ceil(maxY / yStep) * yStep;
  const barWidth = plotWidth / Math.max(1, bins.length);
  const xMax = bins.length * binWidth;
  const xStep = niceStep(xMax, 8);
  const parts: string[] = [
    `<text x="${MARGIN.left}" y="${top + 24}" font-size="15" font-weight="bold">${xmlEscape(options.title)}</text>`,
  ];
  for (let value = 0; value <= yMax + 1e-9; value += yStep) {
    const y = y0 - (value / yMax) * plotHeight;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${Math.round(value)}</text>`,
    );
  }
  bins.forEach((bin, index) => {
    let stacked = 0;
    for (const outcome of OUTCOMES) {
      const count = bin[outcome];
      if (count === 0) continue;
      const height = (count / yMax) * plotHeight;
      const x = MARGIN.left + index * barWidth;
      const y = y0 - ((stacked + count) / yMax) * plotHeight;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0.5, barWidth - 1).toFixed(1)}" height="${height.toFixed(1)}" fill="${COLORS[outcome]}"/>`,
      );
      stacked += count;
    }
  });
  for (let value = 0; value <= xMax + 1e-9; value += xStep) {
    const x = MARGIN.left + (value / xMax) * plotWidth;
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + 5}" stroke="#333"/>`,
      `<text x="${x}" y="${y0 + 18}" text-anchor="middle">${options.xFormat(value)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y0}" y2="${y0}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${y0 + 36}" text-anchor="middle">${xmlEscape(options.xLabel)}</text>`,
    `<text transform="translate(18 ${top + MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${xmlEscape(options.yLabel)}</text>`,
  );
  return parts.join('\n');
}

const emptyBin = (): Record<Outcome, number> => ({ held: 0, soldOut: 0, other: 0 });

export function holdsSvg(samples: readonly Sample[], caption: string): string {
  const totalMs = Math.max(1, ...samples.map((sample) => sample.end));
  const timeBin = niceStep(totalMs, 60);
  const timeline = Array.from({ length: Math.ceil(totalMs / timeBin) || 1 }, emptyBin);
  for (const sample of samples) {
    const bin = timeline[Math.min(timeline.length - 1, Math.floor(sample.end / timeBin))];
    if (bin) bin[sample.outcome]++;
  }
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  // Up to the 99.5th percentile, so one stall does not squash the shape; the rest in the last bin.
  const cap = sorted[Math.floor(sorted.length * 0.995)] ?? sorted.at(-1) ?? 1;
  const latencyBin = niceStep(cap, 50);
  const histogram = Array.from({ length: Math.ceil(cap / latencyBin) + 1 }, emptyBin);
  for (const sample of samples) {
    const bin = histogram[Math.min(histogram.length - 1, Math.floor(sample.ms / latencyBin))];
    if (bin) bin[sample.outcome]++;
  }
  const legend = OUTCOMES.map(
    (outcome, index) =>
      `<rect x="${WIDTH - 360 + index * 115}" y="12" width="12" height="12" fill="${COLORS[outcome]}"/>` +
      `<text x="${WIDTH - 343 + index * 115}" y="22">${LABELS[outcome]}</text>`,
  ).join('\n');
  const height = 2 * PANEL_HEIGHT + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    legend,
    panel({
      top: 0,
      title: `Answers per ${timeBin} ms over time`,
      xLabel: 'seconds since the first hold request',
      yLabel: 'answers',
      binWidth: timeBin,
      bins: timeline,
      xFormat: (ms) => String(Number((ms / 1000).toFixed(2))),
    }),
    panel({
      top: PANEL_HEIGHT,
      title: `Latency histogram (${latencyBin} ms bins; the last bin holds everything slower)`,
      xLabel: 'latency (ms)',
      yLabel: 'requests',
      binWidth: latencyBin,
      bins: histogram,
      xFormat: (ms) => String(Math.round(ms)),
    }),
    `<text x="${MARGIN.left}" y="${height - 8}" fill="#555">${xmlEscape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
