import { randomUUID } from 'node:crypto';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoEmailLog } from '../adapters/dynamo-email-log.js';
import { DynamoOrderRepository } from '../adapters/dynamo-order-repository.js';
import { SesEmailSender } from '../adapters/ses-email-sender.js';
import { systemClock } from '../domain/clock.js';
import { EmailService } from '../domain/emails.js';
import { ENV, requireEnv } from '../env.js';
import { businessMetrics, logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';

// Built once per container. A local endpoint comes from AWS_ENDPOINT_URL_SES, which the
// SDK reads itself (the local stack points it at the SES emulator).
const sesClient = new SESClient({});

/** Built once per container; the email handler shares it across invocations. */
export const emailService = new EmailService({
  orders: new DynamoOrderRepository(documentClient, tableName),
  log: new DynamoEmailLog(documentClient, tableName),
  sender: new SesEmailSender(
    sesClient,
    requireEnv(ENV.senderEmail),
    requireEnv(ENV.sesConfigurationSet),
  ),
  clock: systemClock,
  newLeaseId: randomUUID,
  onRecoverableError: (message, error) => logger.error(message, error as Error),
  metrics: businessMetrics,
});
