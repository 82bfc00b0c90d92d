/**
 * `npm run bench`: how fast the hold path sells a hot event, and proof that it never
 * oversells. Everything runs on this machine against its own in-memory DynamoDB Local
 * and local gateway, on free loopback ports; nothing here can reach AWS. With
 * `--scenario seated`, seated.ts runs its phases on the same stack instead, and with
 * `--scenario fanout`, fanout.ts (WebSocket followers of a hot event), and with
 * `--scenario reads`, reads.ts (a hot event's page, memo of event reads off and on). Otherwise
 * one module per phase, in bench/phases/, run in this order:
 *
 *   setup      organizer (bootstrapAdmin + login), N customers with tokens, one hot
 *              event with capacity C, published; a warm-up event and counter
 *   1. holds   N concurrent POST /v1/events/{id}/orders (quantity 1) over real HTTP,
 *              then the oversell check on strongly consistent reads
 *   1b.        the same holds through OrderLifecycle.hold in-process
 *   1c.        phase 1 again on its own event, the per-client limiter's DynamoDB calls
 *              answered in-process: what the per-client check costs a hold
 *   2. ceiling N conditional UpdateItem decrements of one counter of C, same concurrency
 *   2b. floor  the same decrements, each success followed by an order PutItem, also after
 *              the authorizer's consistent read: the least any hold writes
 *   3. units   a few holds (each then paid) and sold-out rejections with
 *              ReturnConsumedCapacity, sized per item for AWS; then the CAPACITY MODEL
 *
 * Exit: 0 PASS, 1 the oversell (or double-sell, or final-state) check failed, 2 the bench
 * itself failed, 130 interrupted.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoProbe } from './capacity.js';
import type { BenchContext } from './context.js';
import { dropRefusedPushes, removeSeatGuard, removeStockGuard } from './control.js';
import { benchCounters } from './counter.js';
import { findJavaChild } from './cpu.js';
import { fanoutScenario } from './fanout.js';
import { measurer } from './measure.js';
import { parseOptions, USAGE } from './options.js';
import { ceilingAndFloor } from './phases/ceiling.js';
import { httpHolds } from './phases/http-holds.js';
import { inProcessHolds } from './phases/in-process-holds.js';
import { setUp } from './phases/setup.js';
import { writeUnits } from './phases/units.js';
import { warmUp } from './phases/warm-up.js';
import { bypassRateLimits } from './rate-limit-bypass.js';
import { readsScenario } from './reads.js';
import { describeMachine, printHeader, report } from './report.js';
import { seatedScenario } from './seated.js';
import { startBenchStack } from './stack.js';
import { checkStop, runBench, StopRequested, stopRequested } from './stop.js';

async function main(): Promise<number> {
  const options = parseOptions();
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const machine = describeMachine();
  printHeader(options, machine);

  const stack = await startBenchStack({
    apiThrottle: options.apiThrottle,
    liveStream: options.scenario === 'fanout',
    log: (line) => console.log(line),
    shouldStop: stopRequested,
  });
  checkStop();
  if (!stack) throw new StopRequested();

  // Only now: these modules read the environment the stack just set.
  const { documentClient, tableName } = await import('../shared/composition/dynamodb.js');
  const { dynamoDbClient, orderLifecycle } = await import('../shared/composition/orders.js');
  const { userRepository } = await import('../shared/composition/users.js');
  const probe = new DynamoProbe();
  probe.attach(documentClient.middlewareStack as never, 'document');
  probe.attach((dynamoDbClient as DynamoDBClient).middlewareStack as never, 'raw');
  const seated = options.scenario === 'seated';
  // options.ts refuses --control for the reads scenario: its "before" is its control.
  if (options.control && options.scenario !== 'reads') {
    const control = {
      ga: { remove: removeStockGuard, what: 'the stock guard is removed' },
      seated: { remove: removeSeatGuard, what: 'the seat guard is removed' },
      fanout: { remove: dropRefusedPushes, what: 'every push after the first is dropped' },
    }[options.scenario];
    control.remove(documentClient.middlewareStack as never);
    console.log(`CONTROL RUN: ${control.what} in this process; the check must FAIL.`);
  }

  const ctx: BenchContext = {
    options,
    apiUrl: stack.apiUrl,
    client: documentClient,
    tableName,
    measure: measurer(options),
    javaPid: findJavaChild(),
  };
  if (seated) return seatedScenario(ctx, probe, { startedAt, machine });
  if (options.scenario === 'fanout') return fanoutScenario(ctx, { startedAt, machine });
  if (options.scenario === 'reads') return readsScenario(ctx, { startedAt, machine });
  const counters = benchCounters(documentClient, tableName);
  const setup = await setUp(ctx);
  await warmUp(ctx, setup.warm, setup.customers, counters);
  const holds = await httpHolds(ctx, probe, setup.hot, setup.customers);
  const inProcess = await inProcessHolds(
    ctx,
    orderLifecycle,
    setup.organizer.token,
    setup.customers,
  );
  const restoreLimits = bypassRateLimits(documentClient.middlewareStack as never);
  const unlimited = await httpHolds(
    ctx,
    probe,
    setup.hotUnlimited,
    setup.customers,
    '1c. Without the per-client check:',
  );
  restoreLimits();
  const ceiling = await ceilingAndFloor(ctx, counters, userRepository, setup.customers);
  const tokens = setup.customers.slice(0, options.wcuSamples).map((customer) => customer.token);
  const units = await writeUnits(
    ctx,
    probe,
    { open: setup.unitsEvent, soldOut: setup.soldOutEvent },
    tokens,
  );
  return report({
    startedAt,
    options,
    machine,
    setup,
    holds,
    unlimited,
    inProcess,
    ceiling,
    units,
  });
}

runBench(main);
