import { SESClient } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localContext, sqsRecord } from '../../local/api-event.js';
import { startLocalAsync } from '../../local/async-runtime.js';
import { freePort } from '../../local/ports.js';
import { type RunningSes, startSes } from '../../local/ses.js';
import { DynamoEmailLog } from '../../shared/adapters/dynamo-email-log.js';
import { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import { DynamoRecipientCap } from '../../shared/adapters/dynamo-recipient-cap.js';
import { DynamoUserRepository } from '../../shared/adapters/dynamo-user-repository.js';
import { localBus } from '../../shared/adapters/local-bus.js';
import { SesEmailSender } from '../../shared/adapters/ses-email-sender.js';
import { documentClient, tableName } from '../../shared/composition/dynamodb.js';
import { emailKeys } from '../../shared/db/table.js';
import { systemClock } from '../../shared/domain/clock.js';
import type { EmailKind } from '../../shared/domain/email-model.js';
import type { EmailSender, SentEmailLog } from '../../shared/domain/email-ports.js';
import { EmailDeliveryInProgress, EmailService } from '../../shared/domain/emails.js';
import { createEventSchema } from '../../shared/domain/event-model.js';
import { eventBody, principals, uniqueToken } from '../support/events-fixtures.js';
import { noMetrics } from '../support/metrics.js';

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

let ses: RunningSes;
let emailService: EmailService;
let orderLifecycle: typeof import('../../shared/composition/orders.js').orderLifecycle;
let eventService: typeof import('../../shared/composition/events.js').eventService;
let handler: typeof import('../../functions/send-email.js').handler;

beforeAll(async () => {
  ses = await startSes({ port: await freePort() });
  // Set before the composition builds its SES client, so nothing can reach real SES.
  process.env.AWS_ENDPOINT_URL_SES = ses.endpoint;
  expect(ses.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  ({ emailService } = await import('../../shared/composition/emails.js'));
  ({ orderLifecycle } = await import('../../shared/composition/orders.js'));
  ({ eventService } = await import('../../shared/composition/events.js'));
  ({ handler } = await import('../../functions/send-email.js'));
});

afterAll(async () => {
  await ses.close();
});

/** A real HELD order: an event created and published by its organizer, then a hold on it. */
async function createOrder(
  options: { eventName?: string; customerName?: string } = {},
): Promise<{ id: string; email: string; eventName: string }> {
  const organizer = principals.organizer(uniqueToken('org-'));
  const eventName = options.eventName ?? `Email Test ${uniqueToken()}`;
  const event = await eventService.create(
    organizer,
    createEventSchema.parse(eventBody({ name: eventName })),
  );
  await eventService.publish(organizer, event.id);
  const customer = {
    ...principals.customer(uniqueToken('cust-')),
    name: options.customerName ?? 'Ada',
  };
  const ticketTypeId = event.ticketTypes[0]?.id ?? '';
  const order = await orderLifecycle.hold(customer, event.id, {
    items: [{ ticketTypeId, quantity: 2 }],
  });
  return { id: order.id, email: customer.email ?? '', eventName };
}

async function emailsFor(orderId: string): Promise<StoredEmail[]> {
  const response = await fetch(`${ses.url}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.body.text?.includes(orderId));
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readMarker(orderId: string, kind: EmailKind) {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: emailKeys.sent(orderId, kind),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The real adapters, with a sender and claim store a test may swap. */
function serviceWith(overrides: { sender?: EmailSender; log?: SentEmailLog } = {}): EmailService {
  return new EmailService({
    orders: new DynamoOrderRepository(documentClient, tableName),
    users: new DynamoUserRepository(documentClient, tableName),
    log: overrides.log ?? new DynamoEmailLog(documentClient, tableName),
    cap: new DynamoRecipientCap(documentClient, tableName, 20),
    sender:
      overrides.sender ??
      new SesEmailSender(
        new SESClient({ endpoint: ses.endpoint }),
        'tickets@example.com',
        'emails',
      ),
    clock: systemClock,
    newLeaseId: () => uniqueToken('lease-'),
    onRecoverableError: () => undefined,
    metrics: noMetrics,
  });
}

/** A sender that takes its time, so concurrent deliveries overlap while it sends. */
function slowSender(ms: number): EmailSender {
  const real = new SesEmailSender(
    new SESClient({ endpoint: ses.endpoint }),
    'tickets@example.com',
    'emails',
  );
  return {
    send: async (email) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return real.send(email);
    },
  };
}

describe('EmailService.deliver against DynamoDB Local and the SES emulator', () => {
  it('sends once when the same message is delivered 3 times in a row', async () => {
    // Prepare
    const order = await createOrder({
      eventName: '<script>alert(1)</script> Night',
      customerName: 'Ada <b>Lovelace</b>',
    });

    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(await emailService.deliver({ orderId: order.id, kind: 'order-confirmed' }));

    // Assess
    expect(outcomes).toEqual(['sent', 'already-sent', 'already-sent']);
    const emails = await emailsFor(order.id);
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email?.from).toBe('tickets@example.com');
    expect(email?.destination.to).toEqual([order.email]);
    expect(email?.subject).toBe('Your tickets for <script>alert(1)</script> Night are confirmed');
    expect(email?.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Night');
    expect(email?.body.html).toContain('Ada &lt;b&gt;Lovelace&lt;/b&gt;');
    expect(email?.body.html).not.toContain('<script>');
    expect(await readMarker(order.id, 'order-confirmed')).toMatchObject({
      status: 'SENT',
      messageId: email?.messageId,
      sentAt: expect.any(String),
    });
  });

  it('sends once when 3 deliveries race, the losers failing to retry later', async () => {
    // Prepare: the winner is still sending when the other two try to claim.
    const order = await createOrder();
    const service = serviceWith({ sender: slowSender(300) });

    // Act
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => service.deliver({ orderId: order.id, kind: 'order-cancelled' })),
    );

    // Assess
    const sent = results.filter((result) => result.status === 'fulfilled');
    const busy = results.filter((result) => result.status === 'rejected');
    expect(sent).toEqual([{ status: 'fulfilled', value: 'sent' }]);
    expect(busy).toHaveLength(2);
    for (const result of busy) expect(result.reason).toBeInstanceOf(EmailDeliveryInProgress);
    expect(await emailsFor(order.id)).toHaveLength(1);

    // The retries SQS makes of the two losers find the email sent.
    expect(await emailService.deliver({ orderId: order.id, kind: 'order-cancelled' })).toBe(
      'already-sent',
    );
    expect(await emailService.deliver({ orderId: order.id, kind: 'order-cancelled' })).toBe(
      'already-sent',
    );
    expect(await emailsFor(order.id)).toHaveLength(1);
  });

  it('control: without the claim the same race sends three emails', async () => {
    // Prepare: a claim store that never refuses, to show the race is real and counted.
    const order = await createOrder();
    const log = new DynamoEmailLog(documentClient, tableName);
    const noGuard: SentEmailLog = {
      claim: async () => 'claimed',
      markSent: (...args) => log.markSent(...args),
      release: (...args) => log.release(...args),
    };
    const service = serviceWith({ sender: slowSender(300), log: noGuard });

    // Act
    await Promise.allSettled(
      [1, 2, 3].map(() => service.deliver({ orderId: order.id, kind: 'order-cancelled' })),
    );

    // Assess
    expect(await emailsFor(order.id)).toHaveLength(3);
  });

  it('sends once when the same message arrives 3 times concurrently, retried until done', async () => {
    // Prepare
    const order = await createOrder();

    // Act: three at once, then each failed one again, as SQS would.
    let pending = 3;
    const outcomes: string[] = [];
    for (let round = 0; pending > 0 && round < 10; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: pending }, () =>
          emailService.deliver({ orderId: order.id, kind: 'hold-expired' }),
        ),
      );
      for (const result of results) {
        if (result.status === 'fulfilled') outcomes.push(result.value);
        else expect(result.reason).toBeInstanceOf(EmailDeliveryInProgress);
      }
      pending = results.filter((result) => result.status === 'rejected').length;
    }

    // Assess
    expect(pending).toBe(0);
    expect(outcomes.sort()).toEqual(['already-sent', 'already-sent', 'sent']);
    expect(await emailsFor(order.id)).toHaveLength(1);
  });

  it('leaves no marker when SES fails, so the retry sends the email', async () => {
    // Prepare: a sender pointed at a port nothing listens on.
    const order = await createOrder();
    const closed = await freePort();
    const unreachable = serviceWith({
      sender: new SesEmailSender(
        new SESClient({ endpoint: `http://127.0.0.1:${closed}`, maxAttempts: 1 }),
        'tickets@example.com',
        'emails',
      ),
    });

    // Act
    await expect(
      unreachable.deliver({ orderId: order.id, kind: 'order-refunded' }),
    ).rejects.toThrow();
    const markerAfterFailure = await readMarker(order.id, 'order-refunded');
    const retry = await emailService.deliver({ orderId: order.id, kind: 'order-refunded' });

    // Assess
    expect(markerAfterFailure).toBeUndefined();
    expect(retry).toBe('sent');
    expect(await emailsFor(order.id)).toHaveLength(1);
    expect(await readMarker(order.id, 'order-refunded')).toMatchObject({ status: 'SENT' });
  });

  it('waits for a live lease, and takes over one that ran out', async () => {
    // Prepare: another delivery claimed the email and is still within its lease.
    const order = await createOrder();
    const claim = (leaseExpiresAt: string) =>
      documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...emailKeys.sent(order.id, 'event-cancelled'),
            entity: 'SentEmail',
            orderId: order.id,
            kind: 'event-cancelled',
            status: 'SENDING',
            leaseId: 'crashed-delivery',
            claimedAt: new Date(Date.now() - 180_000).toISOString(),
            leaseExpiresAt,
          },
        }),
      );
    await claim(new Date(Date.now() + 60_000).toISOString());

    // Act + Assess: while it lives, nothing is sent and the record is retried.
    await expect(
      emailService.deliver({ orderId: order.id, kind: 'event-cancelled' }),
    ).rejects.toBeInstanceOf(EmailDeliveryInProgress);
    expect(await emailsFor(order.id)).toHaveLength(0);

    // Act + Assess: its holder crashed and the lease ran out, so the next delivery sends.
    await claim(new Date(Date.now() - 1_000).toISOString());
    expect(await emailService.deliver({ orderId: order.id, kind: 'event-cancelled' })).toBe('sent');
    expect(await emailsFor(order.id)).toHaveLength(1);
    expect(await readMarker(order.id, 'event-cancelled')).toMatchObject({ status: 'SENT' });
  });

  it('keeps each kind separate: one email per kind for the same order', async () => {
    // Prepare
    const order = await createOrder();

    // Act
    await emailService.deliver({ orderId: order.id, kind: 'order-confirmed' });
    await emailService.deliver({ orderId: order.id, kind: 'order-refunded' });
    await emailService.deliver({ orderId: order.id, kind: 'order-confirmed' });

    // Assess
    const subjects = (await emailsFor(order.id)).map((email) => email.subject).sort();
    expect(subjects).toEqual([
      `Your order for ${order.eventName} has been refunded`,
      `Your tickets for ${order.eventName} are confirmed`,
    ]);
  });
});

describe('send-email handler against DynamoDB Local and the SES emulator', () => {
  it('sends once for a batch holding the same message 3 times; the retried ones then succeed', async () => {
    // Prepare
    const order = await createOrder();
    const body = { orderId: order.id, kind: 'order-confirmed' };
    const event = (ids: string[]): SQSEvent => ({
      Records: ids.map((id) => sqsRecord(JSON.stringify(body), { messageId: id })),
    });

    // Act
    const first = await handler(event(['m-1', 'm-2', 'm-3']), localContext('SendEmail'));
    const failed = first.batchItemFailures.map((failure) => failure.itemIdentifier);
    const retry = await handler(event(failed), localContext('SendEmail'));

    // Assess
    expect(failed.length).toBeLessThanOrEqual(2);
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(await emailsFor(order.id)).toHaveLength(1);
  });

  it('drops a malformed message without touching anything', async () => {
    // Prepare
    const before = (await (await fetch(`${ses.url}/store`)).json()) as { emails: unknown[] };

    // Act
    const response = await handler(
      {
        Records: [
          sqsRecord(JSON.stringify({ orderId: 'x', kind: 'nope' }), { messageId: 'm-bad' }),
        ],
      },
      localContext('SendEmail'),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const after = (await (await fetch(`${ses.url}/store`)).json()) as { emails: unknown[] };
    expect(after.emails).toHaveLength(before.emails.length);
  });
});

describe('end to end through the local async runtime', () => {
  it('delivers an email emitted on the local bus, once, even when emitted twice', async () => {
    // Prepare
    const order = await createOrder();
    const runtime = startLocalAsync({ log: () => undefined });
    try {
      // Act
      localBus.emit('email', { orderId: order.id, kind: 'order-confirmed' });
      localBus.emit('email', { orderId: order.id, kind: 'order-confirmed' });
      const emails = await waitFor(
        () => emailsFor(order.id),
        (found) => found.length > 0,
      );
      // The duplicate is either dropped as already sent or retried after a second.
      await waitFor(
        () => readMarker(order.id, 'order-confirmed'),
        (marker) => marker?.status === 'SENT',
      );
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      // Assess
      expect(emails[0]?.subject).toBe(`Your tickets for ${order.eventName} are confirmed`);
      expect(emails[0]?.destination.to).toEqual([order.email]);
      expect(await emailsFor(order.id)).toHaveLength(1);
      expect(runtime.deadLetters).toEqual([]);
    } finally {
      runtime.stop();
    }
  });

  it('sends the confirmation when an order is paid, through the outbox and the queue', async () => {
    // Prepare
    const order = await createOrder();
    const runtime = startLocalAsync({ log: () => undefined });
    try {
      // Act
      const stored = await new DynamoOrderRepository(documentClient, tableName).get(order.id);
      const owner = {
        ...principals.customer(stored?.customer.userId ?? ''),
        email: order.email,
      };
      await orderLifecycle.pay(owner, order.id, 'tok_visa');
      const emails = await waitFor(
        () => emailsFor(order.id),
        (found) => found.length > 0,
      );

      // Assess
      expect(emails).toHaveLength(1);
      expect(emails[0]?.subject).toBe(`Your tickets for ${order.eventName} are confirmed`);
      // The outbox message is gone once handed over.
      const { Item: outbox } = await documentClient.send(
        new GetCommand({
          TableName: tableName,
          Key: emailKeys.outbox(order.id, 'order-confirmed'),
        }),
      );
      expect(outbox).toBeUndefined();
    } finally {
      runtime.stop();
    }
  });
});
