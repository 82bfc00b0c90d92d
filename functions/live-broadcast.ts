import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { liveBroadcaster } from '../shared/composition/live.js';
import { liveChangeOf, type StreamRecord } from '../shared/db/entities/live.js';
import { observedJob } from '../shared/observability.js';

/**
 * The table stream's consumer: pushes each change of availability and of seats to the
 * followers of its event, coalesced (see LiveBroadcaster). A failed push reports its
 * event's first record, so the stream delivers the batch again from there.
 */
export const handler = observedJob(
  async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    const receivedAt = Date.now();
    const changes = event.Records.flatMap((record) => {
      const change = liveChangeOf(record as StreamRecord);
      const ref = record.dynamodb?.SequenceNumber;
      return change && ref !== undefined ? [{ change, ref }] : [];
    });
    const failed = await liveBroadcaster.broadcast({
      changes,
      receivedAt,
      deadline: receivedAt + context.getRemainingTimeInMillis(),
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  },
);
