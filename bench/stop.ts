/**
 * How the bench ends. Ctrl-C (or SIGTERM, SIGHUP) stops handing out requests, lets those
 * in flight finish, then closes the HTTP clients and stops the stack, java included; a
 * failure or the end of the run does the same with its own exit code.
 */
import { HttpClient } from './http.js';
import { USAGE } from './options.js';
import { stopAllBars } from './progress.js';
import { killJavaNow, stopAll } from './stack.js';

const REPEAT_SIGNAL_GRACE_MS = 1_000;

export class StopRequested extends Error {}

let requested = false;
let requestedAt = 0;
let shuttingDown: Promise<void> | undefined;
const openClients = new Set<HttpClient>();

export const stopRequested = (): boolean => requested;

export function checkStop(): void {
  if (requested) throw new StopRequested();
}

/**
 * One HTTP client per phase (see HttpClient), closed when the phase ends; a stop closes
 * it at once, so requests still in flight fail instead of holding the shutdown up.
 */
export async function withClient<T>(
  baseUrl: string,
  maxSockets: number,
  use: (http: HttpClient) => Promise<T>,
): Promise<T> {
  const client = new HttpClient(baseUrl, maxSockets);
  openClients.add(client);
  try {
    return await use(client);
  } finally {
    client.close();
    openClients.delete(client);
  }
}

function shutdown(code: number): Promise<void> {
  shuttingDown ??= (async () => {
    stopAllBars();
    for (const client of openClients) client.close();
    console.log('Stopping…');
    await stopAll();
    process.exit(code);
  })();
  return shuttingDown;
}

function onSignal(signal: NodeJS.Signals): void {
  if (requested) {
    // Ctrl-C reaches us twice (the terminal's process group and tsx relaying it).
    if (Date.now() - requestedAt < REPEAT_SIGNAL_GRACE_MS) return;
    console.error(`\n${signal} again: exiting now`);
    process.exit(130); // the 'exit' hook still signals java
  }
  requested = true;
  requestedAt = Date.now();
  console.log(`\n${signal} received: finishing requests in flight, then stopping…`);
  void shutdown(130);
}

/** Runs the bench, then stops everything it started and exits with its code. */
export function runBench(main: () => Promise<number>): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('exit', () => killJavaNow());
  process.on('unhandledRejection', (reason) => {
    if (requested) return;
    console.error('Unhandled rejection:', reason);
    void shutdown(2);
  });

  main().then(
    (code) => shutdown(code),
    (error: unknown) => {
      if (error instanceof StopRequested || requested) return shutdown(130);
      const message = (error as Error).message ?? String(error);
      // A bad flag needs the message, not a stack trace.
      console.error(
        message.startsWith('--') || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
          ? `${message}\n\n${USAGE}`
          : `\nBench failed: ${(error as Error).stack ?? error}`,
      );
      return shutdown(2);
    },
  );
}
