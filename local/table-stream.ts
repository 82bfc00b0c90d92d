import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { AUDIT_STREAM_FILTERS } from '../shared/db/entities/audit-changes.js';
import { LIVE_STREAM_FILTERS } from '../shared/db/entities/live.js';
import { localContext } from './api-event.js';
import { LOCAL_AWS_ENV, localClient } from './dynamodb.js';
import { HandlerModules } from './gateway/invocation.js';
import { passesFilters } from './stream-filters.js';

/*
 * The local stand-in for the event source mappings on the table's stream: it reads
 * DynamoDB Local's own stream (DescribeStream, GetShardIterator, GetRecords) and runs each
 * consumer the stack deploys with Lambda-shaped DynamoDBStreamEvents, one batch of a shard
 * at a time, as Lambda does. Each consumer gets only the records its mapping's filters
 * pass, and retries on its own: a batch whose answer names failed records is delivered
 * again from the earliest of them, a few times, then given up, where the stack would send
 * it to the consumer's DLQ. Shards that close are followed into their children.
 */

export interface StreamConsumer {
  /** The file in `functions/`, as the stack deploys it. */
  handler: string;
  /** Its construct's id, for the invocation's context. */
  id: string;
  /** Its event source mapping's filter patterns. */
  filters: readonly Record<string, unknown>[];
}

export const LIVE_BROADCASTER: StreamConsumer = {
  handler: 'live-broadcast',
  id: 'LiveBroadcaster',
  filters: LIVE_STREAM_FILTERS,
};
export const AUDIT_RECORDER: StreamConsumer = {
  handler: 'audit-record',
  id: 'AuditRecorder',
  filters: AUDIT_STREAM_FILTERS,
};

/** How often an idle shard is read: a change reaches the consumers within this. */
const POLL_MS = 100;
/** How often the stream is described again for new shards. */
const DISCOVER_MS = 2_000;
/** The stack's event source mappings retry a failed batch as often. */
const RETRY_ATTEMPTS = 3;
const RETRY_PAUSE_MS = 200;
/** GetRecords' page: as the stack's event source mappings' batch size. */
const BATCH_SIZE = 100;

export interface TableStream {
  /** Stops reading once the batch in hand is done. */
  stop(): Promise<void>;
}

interface Shard {
  iterator: string | undefined;
  /** The last record handed over, where a lost iterator resumes. */
  lastSequence: string | undefined;
}

/** The Lambda event record of a GetRecords record: the same JSON, times in epoch seconds. */
function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime: created, ...dynamodb } = record.dynamodb ?? {};
  return {
    ...(record as Omit<DynamoDBRecord, 'dynamodb'>),
    eventSourceARN: streamArn,
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...(created && { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
    },
  };
}

export async function startTableStream(options: {
  endpoint: string;
  tableName: string;
  /** Both of the stack's unless given. */
  consumers?: readonly StreamConsumer[];
  functionsDir?: string;
  log?: (line: string) => void;
}): Promise<TableStream> {
  const consumers = options.consumers ?? [LIVE_BROADCASTER, AUDIT_RECORDER];
  const log = options.log ?? ((line: string) => console.log(line));
  const modules = new HandlerModules(
    options.functionsDir ?? fileURLToPath(new URL('../functions/', import.meta.url)),
  );
  const table = localClient(options.endpoint);
  const { Table } = await table.send(new DescribeTableCommand({ TableName: options.tableName }));
  table.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });

  const shards = new Map<string, Shard>();
  const seen = new Set<string>();
  const iteratorOf = async (
    shardId: string,
    from: { type: 'LATEST' | 'TRIM_HORIZON' } | { after: string },
  ) =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ...('after' in from
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: from.after }
            : { ShardIteratorType: from.type }),
        }),
      )
    ).ShardIterator;

  /**
   * Shards not seen before. Those open at the start are read from now on; any that
   * appears later (a child of a closed shard) from its beginning.
   */
  async function discover(first: boolean): Promise<void> {
    let start: string | undefined;
    do {
      const { StreamDescription: description } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      for (const shard of description?.Shards ?? []) {
        const id = shard.ShardId as string;
        if (seen.has(id)) continue;
        seen.add(id);
        const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        if (first && closed) continue;
        shards.set(id, {
          iterator: await iteratorOf(id, { type: first ? 'LATEST' : 'TRIM_HORIZON' }),
          lastSequence: undefined,
        });
      }
      start = description?.LastEvaluatedShardId;
    } while (start);
  }

  /** Runs the consumer on the records its filters pass until it succeeds or the retries run out. */
  async function deliverTo(consumer: StreamConsumer, records: DynamoDBRecord[]): Promise<void> {
    const handler = await modules.handler(consumer.handler);
    let pending = records.filter((record) => passesFilters(consumer.filters, record));
    for (let attempt = 0; pending.length > 0; attempt++) {
      let failed: string[];
      try {
        const event: DynamoDBStreamEvent = { Records: pending };
        const response = (await handler(event, localContext(consumer.id))) as DynamoDBBatchResponse;
        failed = response.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier);
      } catch (error) {
        console.error(`[table stream] ${consumer.handler} failed:`, error);
        failed = [pending[0]?.dynamodb?.SequenceNumber ?? ''];
      }
      if (failed.length === 0) return;
      // As Lambda: the batch again from its earliest failed record.
      const from = pending.findIndex((record) =>
        failed.includes(record.dynamodb?.SequenceNumber ?? ''),
      );
      pending = pending.slice(Math.max(0, from));
      if (attempt === RETRY_ATTEMPTS) {
        log(
          `[table stream] ${consumer.handler} gave up on ${pending.length} records after ${attempt} retries`,
        );
        return;
      }
      await sleep(RETRY_PAUSE_MS * 2 ** attempt);
    }
  }

  /** Each consumer at once, as the stack's mappings are independent of each other. */
  const deliver = (records: DynamoDBRecord[]) =>
    Promise.all(consumers.map((consumer) => deliverTo(consumer, records)));

  /** Reads one batch of the shard and delivers it; whether it had records. */
  async function readShard(id: string, shard: Shard): Promise<boolean> {
    try {
      const page = await streams.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: BATCH_SIZE }),
      );
      shard.iterator = page.NextShardIterator;
      const records = page.Records ?? [];
      if (records.length > 0) {
        await deliver(records.map((record) => lambdaRecord(record, streamArn as string)));
        shard.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber;
      }
      if (!shard.iterator) shards.delete(id);
      return records.length > 0;
    } catch (error) {
      log(
        `[table stream] shard ${id}: ${(error as Error).message}; reading on from the last record`,
      );
      shard.iterator = await iteratorOf(
        id,
        shard.lastSequence ? { after: shard.lastSequence } : { type: 'LATEST' },
      );
      return false;
    }
  }

  await discover(true);
  let stopped = false;
  const loop = (async () => {
    let discoveredAt = Date.now();
    while (!stopped) {
      let busy = false;
      try {
        for (const [id, shard] of [...shards]) {
          if (stopped) break;
          busy = (await readShard(id, shard)) || busy;
        }
      } catch (error) {
        log(`[table stream] ${(error as Error).message}; trying again`);
      }
      if (shards.size === 0 || Date.now() - discoveredAt > DISCOVER_MS) {
        await discover(false).catch((error: unknown) =>
          log(`[table stream] describe failed: ${(error as Error).message}`),
        );
        discoveredAt = Date.now();
      }
      if (!busy && !stopped) await sleep(POLL_MS);
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
      streams.destroy();
    },
  };
}
