import { SESClient } from '@aws-sdk/client-ses';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, inject, it } from 'vitest';
import { DynamoEmailLog } from '../../shared/adapters/dynamo-email-log.js';
import { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import { DynamoRecipientCap } from '../../shared/adapters/dynamo-recipient-cap.js';
import { DynamoUserRepository } from '../../shared/adapters/dynamo-user-repository.js';
import { SesEmailSender } from '../../shared/adapters/ses-email-sender.js';
import { documentClient, tableName } from '../../shared/composition/dynamodb.js';
import { emailKeys } from '../../shared/db/table.js';
import type { EmailMessage } from '../../shared/domain/email-model.js';
import { EmailService } from '../../shared/domain/emails.js';
import type { BusinessMetrics } from '../../shared/domain/metrics-port.js';
import type { User } from '../../shared/domain/user-model.js';
import { uniqueEmail } from '../support/http-api.js';
import { emailsTo } from '../support/ses-store.js';

/*
 * The per-recipient cap on the real adapters: DynamoDB Local's conditional counter and the
 * SES emulator. Each test's users are new addresses, so their windows start empty.
 */

const CAP = 20;
const users = new DynamoUserRepository(documentClient, tableName);

/** What the service counted, by metric name. */
const counted = new Map<string, number>();
const recordingMetrics: BusinessMetrics = {
  count: (event, times = 1) => counted.set(event, (counted.get(event) ?? 0) + times),
  seconds: () => {},
};

function service(clock = { now: () => new Date() }): EmailService {
  return new EmailService({
    metrics: recordingMetrics,
    orders: new DynamoOrderRepository(documentClient, tableName),
    users,
    log: new DynamoEmailLog(documentClient, tableName),
    cap: new DynamoRecipientCap(documentClient, tableName, CAP),
    sender: new SesEmailSender(
      new SESClient({ endpoint: inject('sesEndpoint') }),
      'tickets@example.com',
      'emails',
    ),
    clock,
    newLeaseId: ulid,
    onRecoverableError: () => undefined,
  });
}

async function storedUser(): Promise<User> {
  const now = new Date().toISOString();
  const user: User = {
    id: ulid(),
    email: uniqueEmail('capped'),
    name: 'Cap',
    roles: ['customer'],
    emailVerified: false,
    createdAt: now,
    updatedAt: now,
  };
  await users.insert(user);
  return user;
}

/** A distinct email each time: a new code for the user. */
const codeMail = (user: User): EmailMessage => ({
  kind: 'verify-email',
  userId: user.id,
  codeId: ulid(),
  code: '123456',
});

async function sentInWindow(address: string, now: Date): Promise<unknown> {
  const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: emailKeys.recipientWindow(address, hour.toISOString()),
      ConsistentRead: true,
    }),
  );
  return Item?.sent;
}

describe('the per-recipient hourly cap', () => {
  it('drops the 21st email to one address in the hour while another address still gets mail', async () => {
    // Prepare
    const flooded = await storedUser();
    const other = await storedUser();
    const emails = service();

    const cappedBefore = counted.get('EmailsCapped') ?? 0;

    // Act
    const outcomes = [];
    for (let i = 0; i < CAP + 1; i++) outcomes.push(await emails.deliver(codeMail(flooded)));
    const otherOutcome = await emails.deliver(codeMail(other));

    // Assess
    expect(outcomes.slice(0, CAP).every((outcome) => outcome === 'sent')).toBe(true);
    expect(outcomes[CAP]).toBe('capped');
    expect(otherOutcome).toBe('sent');
    expect(await emailsTo(flooded.email)).toHaveLength(CAP);
    expect(await emailsTo(other.email)).toHaveLength(1);
    expect(await sentInWindow(flooded.email, new Date())).toBe(CAP);
    expect((counted.get('EmailsCapped') ?? 0) - cappedBefore).toBe(1);
  });

  it('never sends a redelivered message twice, and its redelivery costs no share of the cap', async () => {
    // Prepare
    const user = await storedUser();
    const emails = service();
    const message = codeMail(user);

    // Act
    const outcomes = [
      await emails.deliver(message),
      await emails.deliver(message),
      await emails.deliver(message),
    ];

    // Assess
    expect(outcomes).toEqual(['sent', 'already-sent', 'already-sent']);
    expect(await emailsTo(user.email)).toHaveLength(1);
    expect(await sentInWindow(user.email, new Date())).toBe(1);
  });

  it('lets a capped email go out in the next hour, had it come back (the marker is released)', async () => {
    // Prepare: the window is full.
    const user = await storedUser();
    const now = new Date();
    const emails = service({ now: () => now });
    for (let i = 0; i < CAP; i++) await emails.deliver(codeMail(user));
    const late = codeMail(user);
    expect(await emails.deliver(late)).toBe('capped');

    // Act: the same message an hour later.
    const nextHour = service({ now: () => new Date(now.getTime() + 3_600_000) });
    const outcome = await nextHour.deliver(late);

    // Assess
    expect(outcome).toBe('sent');
    expect(await emailsTo(user.email)).toHaveLength(CAP + 1);
  });
});
