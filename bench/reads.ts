/**
 * `npm run bench -- --scenario reads`: one hot event's page read by many at once, before
 * and after the per-container memo of event reads (README "Hot reads"), in one run:
 *
 *   setup    the organizer and one published event, through the stack holds.ts started
 *   before   a "container" (worker thread + its own gateway) with EVENT_READ_MEMO_MS=0:
 *            a warm-up round, then R rounds of `readers` concurrent anonymous
 *            GET /v1/events/{id}, each round fired at once
 *   after    the same on a container with the default memo
 *   units    the read units of one event read, strongly and eventually consistent, as
 *            DynamoDB Local reports them, and what they make of one partition on AWS
 *
 * PASS: every answer 200, and the memo read the event at most once per window.
 */
import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { READ_THROTTLE } from '../shared/api/route-record.js';
import { eventKeys } from '../shared/db/table.js';
import { createEvent } from './api.js';
import type { BenchContext } from './context.js';
import type { HttpClient } from './http.js';
import type { FromGateway, ToGateway } from './reads-gateway.js';
import { type Machine, resultsFile } from './report.js';
import { fmt, mean, percentile, round } from './stats.js';
import { checkStop, withClient } from './stop.js';

/** The app's default memo window (shared/composition/events.ts). */
const MEMO_WINDOW_MS = 1_000;
/** DynamoDB's ceiling for one partition key. */
const PARTITION_RCU_PER_SECOND = 3_000;
/** Lambda's default concurrency per account and region: containers at most. */
const LAMBDA_CONCURRENCY = 1_000;

interface Variant {
  label: string;
  memoMs: number;
  /** The per-client limiter's write answered in-process (what that write costs). */
  bypassLimits: boolean;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  non200: number;
  measuredMs: number;
  /** DynamoDB calls per request, by command, over the measured rounds. */
  callsPerRequest: Record<string, number>;
  eventReads: number;
}

/** A container in a worker thread; `ask` sends a message and waits for the counts. */
async function startContainer(memoMs: number, bypassLimits: boolean) {
  const worker = new Worker(new URL('./reads-gateway.ts', import.meta.url), {
    env: { ...process.env, EVENT_READ_MEMO_MS: String(memoMs) },
    workerData: { bypassLimits },
  });
  const next = () =>
    new Promise<FromGateway>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const started = (await next()) as { url: string };
  const ask = async (message: ToGateway) => {
    const answer = next();
    worker.postMessage(message);
    return ((await answer) as { counts: Record<string, number> }).counts;
  };
  return { url: started.url, ask, stop: () => worker.terminate() };
}

/**
 * One GET per reader, all at once, each from its own loopback address (127.0.1.x, …): as
 * many visitors, each counted against its own per-client window as on AWS, rather than
 * one client whose every request writes the same counter item.
 */
async function fireRound(http: HttpClient, path: string, readers: number) {
  return Promise.all(
    Array.from({ length: readers }, (_, reader) =>
      http.send('GET', path, {
        localAddress: `127.0.${1 + Math.floor(reader / 250)}.${1 + (reader % 250)}`,
      }),
    ),
  );
}

async function measure(
  { label, memoMs, bypassLimits }: Pick<Variant, 'label' | 'memoMs' | 'bypassLimits'>,
  eventId: string,
  readers: number,
  rounds: number,
): Promise<Variant> {
  const container = await startContainer(memoMs, bypassLimits);
  try {
    return await withClient(container.url, readers, async (http) => {
      const path = `/v1/events/${eventId}`;
      await fireRound(http, path, readers); // warm-up: modules, JIT, sockets
      await container.ask('reset');
      const latencies: number[] = [];
      let non200 = 0;
      const started = performance.now();
      for (let index = 0; index < rounds; index++) {
        checkStop();
        for (const reply of await fireRound(http, path, readers)) {
          latencies.push(reply.ms);
          if (reply.status !== 200) non200++;
        }
      }
      const measuredMs = performance.now() - started;
      const counts = await container.ask('counts');
      const sorted = latencies.sort((a, b) => a - b);
      const requests = sorted.length;
      const variant: Variant = {
        label,
        memoMs,
        bypassLimits,
        avgMs: round(mean(sorted)),
        p50Ms: round(percentile(sorted, 50)),
        p95Ms: round(percentile(sorted, 95)),
        p99Ms: round(percentile(sorted, 99)),
        maxMs: round(sorted.at(-1) ?? Number.NaN),
        requests,
        non200,
        measuredMs: round(measuredMs),
        callsPerRequest: Object.fromEntries(
          Object.entries(counts).map(([command, n]) => [
            command.replace(/Command$/, ''),
            round(n / requests, 3),
          ]),
        ),
        eventReads: counts.BatchGetItemCommand ?? 0,
      };
      console.log(
        `  ${label}: avg ${fmt(variant.avgMs)} ms | p50 ${fmt(variant.p50Ms)} | p95 ${fmt(variant.p95Ms)} | p99 ${fmt(variant.p99Ms)} | max ${fmt(variant.maxMs)}; ${requests} GETs, ${non200} not 200`,
      );
      return variant;
    });
  } finally {
    await container.stop();
  }
}

/** Read units of one event read (its META and INVENTORY), as DynamoDB Local reports them. */
async function readUnits(ctx: BenchContext, eventId: string, consistent: boolean) {
  const { ConsumedCapacity } = await ctx.client.send(
    new BatchGetCommand({
      RequestItems: {
        [ctx.tableName]: {
          Keys: [eventKeys.meta(eventId), eventKeys.inventory(eventId)],
          ConsistentRead: consistent,
        },
      },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return ConsumedCapacity?.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0) ?? 0;
}

/** What one event's partition allows on AWS, from the units of one read. */
export function readsModel(consistentRcu: number, eventualRcu: number, windowMs: number) {
  const perSecond = 1_000 / windowMs;
  return {
    partitionRcuPerSecond: PARTITION_RCU_PER_SECOND,
    rcuPerRead: { consistent: consistentRcu, eventual: eventualRcu },
    /** Every GET reads the event strongly consistently. */
    before: { getsPerSecond: Math.floor(PARTITION_RCU_PER_SECOND / consistentRcu) },
    /** Each container reads it at most once per window, whatever its traffic. */
    after: {
      rcuPerContainerPerSecond: round(eventualRcu * perSecond, 2),
      containersBeforePartitionLimit: Math.floor(
        PARTITION_RCU_PER_SECOND / (eventualRcu * perSecond),
      ),
      rcuAtLambdaConcurrency: round(LAMBDA_CONCURRENCY * eventualRcu * perSecond, 1),
      lambdaConcurrency: LAMBDA_CONCURRENCY,
      routeThrottle: READ_THROTTLE.rateLimit,
    },
  };
}

export async function readsScenario(
  ctx: BenchContext,
  run: { startedAt: Date; machine: Machine },
): Promise<number> {
  const { options } = ctx;
  const { readers, rounds } = options;
  const eventId = await withClient(ctx.apiUrl, 4, async (http) => {
    const { createOrganizer } = await import('./users.js');
    const organizer = await createOrganizer(http);
    return (await createEvent(http, organizer.token, 'Bench hot page', options.capacity)).eventId;
  });
  console.log(`\nReads: ${rounds} rounds of ${readers} concurrent GET /v1/events/{id}`);
  const before = await measure(
    { label: 'before (no memo)', memoMs: 0, bypassLimits: false },
    eventId,
    readers,
    rounds,
  );
  const after = await measure(
    { label: `after (memo ${MEMO_WINDOW_MS} ms)`, memoMs: MEMO_WINDOW_MS, bypassLimits: false },
    eventId,
    readers,
    rounds,
  );
  const unlimited = await measure(
    {
      label: 'after, per-client write answered in-process',
      memoMs: MEMO_WINDOW_MS,
      bypassLimits: true,
    },
    eventId,
    readers,
    rounds,
  );
  const model = readsModel(
    await readUnits(ctx, eventId, true),
    await readUnits(ctx, eventId, false),
    MEMO_WINDOW_MS,
  );
  // The memo's promise: at most one read per window, the first round's included.
  const windows = Math.ceil(after.measuredMs / MEMO_WINDOW_MS) + 1;
  const failures = [
    ...(before.non200 + after.non200 + unlimited.non200 > 0 ? ['some answers were not 200'] : []),
    ...(after.eventReads > windows
      ? [`the memo read the event ${after.eventReads} times in ${windows} windows`]
      : []),
  ];
  const jsonFile = resultsFile(options, run.startedAt, 'reads', 'json');
  const results = { before, after, unlimited, model, pass: failures.length === 0 };
  writeFileSync(
    jsonFile,
    `${JSON.stringify({ startedAt: run.startedAt.toISOString(), options, machine: run.machine, ...results }, null, 2)}\n`,
  );
  const calls = (variant: Variant) =>
    Object.entries(variant.callsPerRequest)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([command, n]) => `${command} ${n}`)
      .join(', ');
  const { after: memo } = model;
  console.log(
    [
      '',
      '================ RESULTS ================',
      `HOT READS (${rounds} × ${readers} concurrent anonymous GET /v1/events/{id})`,
      `   before (every GET reads the event, strongly consistent): avg ${fmt(before.avgMs)} ms, p50 ${fmt(before.p50Ms)}, p95 ${fmt(before.p95Ms)}, p99 ${fmt(before.p99Ms)}`,
      `     DynamoDB calls per GET: ${calls(before)}`,
      `   after (memo ${MEMO_WINDOW_MS} ms, eventually consistent):   avg ${fmt(after.avgMs)} ms, p50 ${fmt(after.p50Ms)}, p95 ${fmt(after.p95Ms)}, p99 ${fmt(after.p99Ms)}`,
      `     DynamoDB calls per GET: ${calls(after)} (${after.eventReads} event reads in ${fmt(after.measuredMs / 1000, 2)} s)`,
      `   after, the per-client write answered in-process (what that write costs): avg ${fmt(unlimited.avgMs)} ms, p50 ${fmt(unlimited.p50Ms)}, p95 ${fmt(unlimited.p95Ms)}, p99 ${fmt(unlimited.p99Ms)}`,
      `   MODEL on AWS (${PARTITION_RCU_PER_SECOND} RCU/s per partition key; one event read = ${model.rcuPerRead.consistent} RCU strongly, ${model.rcuPerRead.eventual} eventually consistent):`,
      `     before: at most ${model.before.getsPerSecond} GETs/s of one event, all containers together`,
      `     after: ${memo.rcuPerContainerPerSecond} RCU/s per warm container, whatever its traffic; ${memo.containersBeforePartitionLimit} containers before the partition is the limit, ${memo.rcuAtLambdaConcurrency} RCU/s at Lambda's default ${memo.lambdaConcurrency}. GETs/s are then bounded by the route throttle (${memo.routeThrottle}/s) and concurrency, not by the event's key`,
      `     each GET still writes its caller's rate-limit window (1 WCU on the caller's own key); a CDN keeping the public answers ${MEMO_WINDOW_MS / 1000} s sends the origin about one GET per edge cache per second`,
      `   ${failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`}`,
      '',
      `Results: ${jsonFile}`,
    ].join('\n'),
  );
  return failures.length === 0 ? 0 : 1;
}
