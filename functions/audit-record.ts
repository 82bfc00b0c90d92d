import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { auditTrail } from '../shared/composition/audit.js';
import { auditDraftOf } from '../shared/db/entities/audit-changes.js';

/**
 * The table stream's audit consumer: each change of an event, order, waitlist entry or
 * user becomes one record. A record keyed by its stream record's id is written only if
 * absent, so a batch delivered again records nothing twice; a record that throws is
 * reported alone, and the stream delivers the batch again from it.
 */
async function recordChange(record: DynamoDBRecord): Promise<void> {
  const draft = auditDraftOf(record);
  if (draft) await auditTrail.record(draft);
}

export const handler = async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> =>
  processPartialResponse(
    event,
    recordChange,
    // One per invocation: a processor keeps its batch's state, and local invocations overlap.
    new BatchProcessor(EventType.DynamoDBStreams),
    { context, throwOnFullBatchFailure: false },
  );
