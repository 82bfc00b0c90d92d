import { Presets, SingleBar } from 'cli-progress';

const activeBars = new Set<SingleBar>();

/** Puts the terminal back (cursor, line wrap) when the bench stops mid-phase. */
export function stopAllBars(): void {
  for (const bar of activeBars) bar.stop();
  activeBars.clear();
}

export interface Progress {
  tick(done: number, extra?: string): void;
  stop(): void;
}

/**
 * A bar on a terminal; elsewhere (CI, pipes) one plain line per `stepPercent` percent,
 * so logs stay readable.
 */
export function progress(
  mode: 'bar' | 'lines',
  label: string,
  total: number,
  stepPercent = 10,
): Progress {
  if (mode === 'bar') {
    const bar = new SingleBar(
      {
        format: `  ${label.padEnd(22)} {bar} {percentage}% | {value}/{total} | {extra}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { extra: '' });
    activeBars.add(bar);
    return {
      tick: (done, extra = '') => bar.update(done, { extra }),
      stop: () => {
        bar.stop();
        activeBars.delete(bar);
      },
    };
  }
  const started = performance.now();
  let nextPercent = stepPercent;
  return {
    tick(done, extra = '') {
      const percent = total === 0 ? 100 : (done / total) * 100;
      if (percent + 1e-9 < nextPercent) return;
      while (nextPercent <= percent + 1e-9) nextPercent += stepPercent;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `  ${label}: ${done}/${total} (${Math.floor(percent)}%) ${seconds}s ${extra}`.trimEnd(),
      );
    },
    stop() {},
  };
}
