import { randomUUID } from 'node:crypto';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoEmailLog } from '../adapters/dynamo-email-log.js';
import { DynamoOrderRepository } from '../adapters/dynamo-order-repository.js';
import { DynamoRecipientCap } from '../adapters/dynamo-recipient-cap.js';
import { SesEmailSender } from '../adapters/ses-email-sender.js';
import { systemClock } from '../domain/clock.js';
import { DEFAULT_EMAIL_CAP_PER_HOUR, EmailService } from '../domain/emails.js';
import { ENV, optionalPositiveInt, requireEnv } from '../env.js';
import { businessMetrics, logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';
import { userRepository } from './users.js';

// Built once per container. A local endpoint comes from AWS_ENDPOINT_URL_SES, which the
// SDK reads itself (the local stack points it at the SES emulator).
const sesClient = new SESClient({});

/** Built once per container; the email handler shares it across invocations. */
export const emailService = new EmailService({
  orders: new DynamoOrderRepository(documentClient, tableName),
  users: userRepository,
  log: new DynamoEmailLog(documentClient, tableName),
  cap: new DynamoRecipientCap(
    documentClient,
    tableName,
    optionalPositiveInt(ENV.emailCapPerHour, DEFAULT_EMAIL_CAP_PER_HOUR),
  ),
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
