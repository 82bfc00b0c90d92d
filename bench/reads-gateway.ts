/**
 * `--scenario reads`: one "container" of the app in a worker thread. A worker has its own
 * module graph, so its handlers build their composition from its own environment: the
 * bench starts one with `EVENT_READ_MEMO_MS=0` (before) and one with the default (after)
 * in the same run, each behind its own local gateway, against the same DynamoDB Local.
 * It counts the DynamoDB calls its handlers make, by command, until asked for them. With
 * `workerData.bypassLimits` the per-client limiter's writes are answered in the worker
 * (rate-limit-bypass.ts), to show what that write costs each GET.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startGateway } from '../local/gateway.js';
import { freePort } from '../local/ports.js';
import { bypassRateLimits } from './rate-limit-bypass.js';
import { benchRoutes } from './stack.js';

export type ToGateway = 'reset' | 'counts';
export type FromGateway = { url: string } | { counts: Record<string, number> };

const port = parentPort;
if (!port) throw new Error('reads-gateway.ts runs as a worker thread');

// Only now: the composition reads the worker's environment at load.
const { documentClient } = await import('../shared/composition/dynamodb.js');
let counts: Record<string, number> = {};
documentClient.middlewareStack.add(
  (next, context) => (args) => {
    const command = context.commandName ?? '?';
    counts[command] = (counts[command] ?? 0) + 1;
    return next(args);
  },
  { step: 'initialize', name: 'benchCountReadCalls' },
);
if ((workerData as { bypassLimits?: boolean } | null)?.bypassLimits) {
  bypassRateLimits(documentClient.middlewareStack as never);
}

const gateway = await startGateway({
  port: await freePort(),
  host: '127.0.0.1',
  routes: benchRoutes(false),
  log: () => undefined,
});
port.on('message', (message: ToGateway) => {
  if (message === 'reset') counts = {};
  port.postMessage({ counts } satisfies FromGateway);
});
port.postMessage({ url: gateway.url } satisfies FromGateway);
