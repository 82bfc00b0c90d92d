import { NotReady } from './errors.js';

/** One dependency the API needs, checked by a cheap call that ends when `signal` aborts. */
export interface ReadinessCheck {
  /** Names the check in the answer (`checks.<name>`). */
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}

export interface ReadinessOptions {
  /** Each check's budget; a check still running then counts as failed. */
  timeoutMs: number;
  /** Told the real cause of each failure; the client only learns which check failed. */
  onCheckFailed?: (name: string, error: unknown) => void;
}

export const DEFAULT_READINESS_TIMEOUT_MS = 1000;

class TimedOut extends Error {}

/**
 * Runs every check at once, each bounded by its own timeout, so the answer never takes
 * much longer than one timeout whatever hangs. All pass → `{ name: 'ok' }` for each;
 * any fails → `NotReady` naming every failed check (no internal message: a 503 carries
 * none).
 */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  options: ReadinessOptions,
): Promise<Record<string, 'ok'>> {
  const outcomes = await Promise.allSettled(
    checks.map((check) => withTimeout(check, options.timeoutMs)),
  );
  const failures = checks.flatMap((check, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined || outcome.status === 'fulfilled') return [];
    options.onCheckFailed?.(check.name, outcome.reason);
    return [
      {
        path: `checks.${check.name}`,
        message:
          outcome.reason instanceof TimedOut
            ? `did not answer within ${options.timeoutMs} ms`
            : 'did not answer successfully',
      },
    ];
  });
  if (failures.length > 0) {
    throw new NotReady(
      `${failures.length} of ${checks.length} dependency checks failed; retry later`,
      failures,
    );
  }
  return Object.fromEntries(checks.map((check) => [check.name, 'ok' as const]));
}

/** The check's own promise raced against its timeout: a check ignoring the signal still ends. */
async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimedOut(`${check.name} timed out after ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([check.check(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
