import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { emailService } from '../shared/composition/emails.js';
import { emailMessageSchema } from '../shared/domain/email-model.js';
import { EmailDeliveryInProgress } from '../shared/domain/emails.js';
import { logger, observedJob } from '../shared/observability.js';

/**
 * One record: validate the body, deliver its email once. A record that throws is
 * reported as a batch item failure, so SQS retries only it (and dead-letters it after
 * the queue's maxReceiveCount).
 *
 * A body that is not a valid `EmailMessage` can never succeed: it is logged at error
 * level and treated as processed, so SQS deletes it instead of retrying it into the DLQ.
 * So is a message for an order or user that does not exist (the outbox commits the message
 * with its order, so the order cannot appear later), and one over its recipient's hourly
 * cap, which is counted (`EmailsCapped`): retrying it would only be capped again or land
 * late, and a DLQ redrive would defeat the cap.
 */
async function deliverRecord(record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const message = emailMessageSchema.safeParse(body);
  if (!message.success) {
    logger.error('Dropped a malformed email message', {
      messageId: record.messageId,
      body: record.body.slice(0, 1000),
      issues: message.error.issues,
    });
    return;
  }
  // Never the message itself: a verification message carries its code.
  const about =
    message.data.kind === 'verify-email'
      ? { kind: message.data.kind, userId: message.data.userId, codeId: message.data.codeId }
      : { kind: message.data.kind, orderId: message.data.orderId };
  try {
    const outcome = await emailService.deliver(message.data);
    if (outcome === 'not-found') {
      logger.error('Dropped an email message for an unknown order or user', about);
    } else if (outcome === 'capped') {
      logger.warn('Dropped an email over its recipient’s hourly cap', about);
    } else {
      logger.info('Email delivered', { ...about, outcome });
    }
  } catch (error) {
    if (error instanceof EmailDeliveryInProgress) {
      logger.info('Email is being sent by another delivery; retrying later', about);
    } else {
      logger.warn('Email delivery failed; SQS retries it', { ...about, error });
    }
    throw error;
  }
}

export const handler = observedJob(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(
      event,
      deliverRecord,
      // A processor keeps its batch's state on itself: one per invocation, so invocations
      // that overlap in one process (the local runtime) never mix their results.
      new BatchProcessor(EventType.SQS),
      // A fully failed batch is reported record by record, not thrown: same retries, and
      // a live lease elsewhere is not a function error.
      { context, throwOnFullBatchFailure: false },
    ),
);
