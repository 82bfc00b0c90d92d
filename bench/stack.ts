/**
 * The bench's own local stack: in-memory DynamoDB Local (+ both tables) and the local
 * gateway, each on a free loopback port, with the local identity provider's env set
 * before any handler module loads (as local/start.ts does). No SES emulator and no
 * async runtime: the hold path needs neither (expiry wake-ups go to an empty local bus).
 * The reader of the table's stream (live pushes) only for the fan-out scenario: it
 * would otherwise add its work to every hold the other scenarios time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureTable, LOCAL_AWS_ENV, startDynamoDb } from '../local/dynamodb.js';
import { startGateway } from '../local/gateway.js';
import { localIdentityEnv, localSigningKey } from '../local/idp.js';
import { freePort } from '../local/ports.js';
import { StartedServices } from '../local/services.js';
import { startTableStream } from '../local/table-stream.js';
import type { RouteDefinition } from '../shared/api/route-record.js';
import { ENV } from '../shared/env.js';
import { routes } from '../shared/routes.js';

export const TABLE_NAME = 'ticketing-bench';
export const IDEMPOTENCY_TABLE_NAME = 'ticketing-bench-idempotency';
const STOP_TIMEOUT_MS = 10_000;

export interface BenchStack {
  apiUrl: string;
  dynamoDbEndpoint: string;
  /** The local IdP's private JWK, for `--users mint`. */
  privateJwk: string;
}

/** What is running, in start order; stopped in reverse. */
const started = new StartedServices(STOP_TIMEOUT_MS);
let killJava: (() => void) | undefined;

export async function stopAll(log: (line: string) => void = console.log): Promise<void> {
  await started.stopAll(log);
  killJava = undefined;
}

/** For the 'exit' hook: signals java synchronously, so it never outlives the bench. */
export function killJavaNow(): void {
  killJava?.();
}

/** The route table with throttles out of the way (setup registers thousands of users). */
export function benchRoutes(keepHoldThrottle: boolean): RouteDefinition[] {
  return routes.map((route) =>
    keepHoldThrottle && route.id === 'HoldTickets'
      ? route
      : { ...route, throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 } },
  );
}

export async function startBenchStack(options: {
  apiThrottle: boolean;
  liveStream: boolean;
  log: (line: string) => void;
  /** Checked between steps, so Ctrl-C during start stops what is up so far. */
  shouldStop: () => boolean;
}): Promise<BenchStack | null> {
  const [dynamoDbPort, apiPort] = [await freePort(), await freePort()];
  const dynamoDbEndpoint = `http://127.0.0.1:${dynamoDbPort}`;
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  const { version } = JSON.parse(
    readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'),
  ) as { version: string };

  // Before any handler or composition module loads: they read configuration at import.
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const signingKey = await localSigningKey();
  Object.assign(process.env, LOCAL_AWS_ENV, localIdentityEnv(signingKey, apiOrigin), {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
    // Nothing on the hold path sends email; point SES at a closed loopback port anyway.
    AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SCHEDULER: 'http://127.0.0.1:9',
    [ENV.tableName]: TABLE_NAME,
    [ENV.idempotencyTableName]: IDEMPOTENCY_TABLE_NAME,
    [ENV.runtime]: 'local',
    [ENV.senderEmail]: 'tickets@example.com',
    [ENV.sesConfigurationSet]: 'bench',
    [ENV.serviceVersion]: version,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    // Setup signs up thousands of customers from one address; the holds keep the SPEC's
    // per-user and per-customer limits, which one hold per customer stays far within.
    [ENV.rateLimitAnon]: '1000000000',
  });

  options.log(`Starting DynamoDB Local (in memory) on ${dynamoDbEndpoint}…`);
  const dynamoDb = await startDynamoDb({ port: dynamoDbPort });
  started.add('DynamoDB Local', () => dynamoDb.stop());
  killJava = () => void dynamoDb.stop();
  if (options.shouldStop()) return null;
  await ensureTable(dynamoDbEndpoint, TABLE_NAME);
  await ensureTable(dynamoDbEndpoint, IDEMPOTENCY_TABLE_NAME, 'idempotency');
  if (options.shouldStop()) return null;

  const gateway = await startGateway({
    port: apiPort,
    host: '127.0.0.1',
    routes: benchRoutes(options.apiThrottle),
    jwks: signingKey.jwks,
    log: () => undefined,
  });
  started.add('API gateway', () => gateway.close());
  if (gateway.url !== apiOrigin)
    throw new Error(`gateway on ${gateway.url}, expected ${apiOrigin}`);
  options.log(
    `Gateway on ${gateway.url} (${options.apiThrottle ? 'HoldTickets throttled' : 'unthrottled'})`,
  );
  if (options.liveStream) {
    const stream = await startTableStream({ endpoint: dynamoDbEndpoint, tableName: TABLE_NAME });
    started.add('live stream', () => stream.stop());
    options.log(
      `Live pushes on ${gateway.url.replace(/^http/, 'ws')}/live, fed by the table's stream`,
    );
  }
  return {
    apiUrl: gateway.url,
    dynamoDbEndpoint,
    privateJwk: JSON.stringify(signingKey.privateJwk),
  };
}
