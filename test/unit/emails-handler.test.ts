import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/send-email.js';
import { localContext, sqsRecord } from '../../local/api-event.js';
import { emailKeys, orderKeys } from '../../shared/db/table.js';
import type { EmailKind } from '../../shared/domain/email-model.js';
import type { Order } from '../../shared/domain/order-model.js';
import { businessMetrics } from '../../shared/observability.js';
import { readable, readableUpdate } from '../support/expressions.js';
import { paidOrder } from '../support/orders-fixtures.js';

// Mock every instance, including the ones shared/composition/emails.ts builds at import.
const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);

beforeEach(() => {
  ddb.reset();
  ses.reset();
});

const TABLE = 'unit-test-table';

function order(id: string, overrides: Partial<Order> = {}): Order {
  return paidOrder({
    id,
    eventName: 'Mocked Concert',
    customer: { userId: `user-${id}`, email: `${id}@example.com`, name: 'Ada' },
    ...overrides,
  });
}

/** Stores the order item as the repository writes it. */
function storeOrder(stored: Order): void {
  ddb
    .on(GetCommand, { TableName: TABLE, Key: orderKeys.order(stored.id) })
    .resolves({ Item: { ...orderKeys.order(stored.id), entity: 'Order', ...stored } });
}

const message = (orderId: string, kind: EmailKind = 'order-confirmed', messageId?: string) =>
  sqsRecord(JSON.stringify({ orderId, kind }), { messageId: messageId });

const run = (...records: SQSRecord[]) =>
  handler({ Records: records } satisfies SQSEvent, localContext('SendEmail'));

/** The updates of once-only markers, apart from the recipient cap's counter. */
const markerUpdates = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => String(input.Key?.pk).startsWith('SENT#'));

const conditionFailed = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item && { Item: marshall(item) }),
  });

const throttling = () =>
  new SESServiceException({
    name: 'Throttling',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Maximum sending rate exceeded.',
  });

describe('send-email handler', () => {
  it('sends from SENDER_EMAIL to the customer, with the event in the subject and the order id in both bodies', async () => {
    // Prepare
    storeOrder(order('o-1'));
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    // Act
    const response = await run(message('o-1'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Source).toBe('tickets@example.com');
    // The set whose bounces and complaints the alarms watch.
    expect(input?.ConfigurationSetName).toBe('unit-test-emails');
    expect(input?.Destination).toEqual({ ToAddresses: ['o-1@example.com'] });
    expect(input?.Message?.Subject?.Data).toContain('Mocked Concert');
    expect(input?.Message?.Subject?.Charset).toBe('UTF-8');
    expect(input?.Message?.Body?.Text?.Data).toContain('o-1');
    expect(input?.Message?.Body?.Html?.Data).toContain('o-1');
    expect(input?.Message?.Body?.Html?.Charset).toBe('UTF-8');

    // Claimed with a lease first, marked SENT with the SES message id after.
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: expect.objectContaining({
        ...emailKeys.sent('o-1', 'order-confirmed'),
        status: 'SENDING',
        leaseId: expect.any(String),
        leaseExpiresAt: expect.any(String),
      }),
    });
    const claimed = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    const claim = claimed?.Item ?? {};
    expect(readable(claimed?.ConditionExpression, claimed ?? {})).toBe(
      `attribute_not_exists(pk) OR (status = "SENDING" AND leaseExpiresAt <= "${claim.claimedAt}")`,
    );
    const leaseMs = Date.parse(claim.leaseExpiresAt) - Date.parse(claim.claimedAt);
    expect(leaseMs).toBe(120_000);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: emailKeys.sent('o-1', 'order-confirmed'),
    });
    expect(readableUpdate(markerUpdates()[0])).toEqual({
      update: expect.stringMatching(
        /^SET status="SENT",sentAt="[^"]+",messageId="ses-1" REMOVE leaseExpiresAt$/,
      ),
      condition: `status = "SENDING" AND leaseId = "${claim.leaseId}"`,
    });
  });

  it('escapes a <script> event name in the HTML body', async () => {
    // Prepare
    storeOrder(order('o-xss', { eventName: '<script>alert(1)</script>' }));
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    // Act
    await run(message('o-xss'));

    // Assess
    const html = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Body?.Html?.Data;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('fails only the record whose send was throttled in a batch of 3, and releases its claim', async () => {
    // Prepare
    for (const id of ['o-a', 'o-b', 'o-c']) storeOrder(order(id));
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-ok' });
    ses
      .on(SendEmailCommand, { Destination: { ToAddresses: ['o-b@example.com'] } })
      .rejects(throttling());

    // Act
    const response = await run(
      message('o-a', 'order-confirmed', 'm-a'),
      message('o-b', 'order-confirmed', 'm-b'),
      message('o-c', 'order-confirmed', 'm-c'),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 3);
    // The two that went out are marked SENT; the throttled one is neither marked nor kept claimed.
    expect(markerUpdates()).toHaveLength(2);
    expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, {
      Key: emailKeys.sent('o-b', 'order-confirmed'),
    });
    const claimOfB = ddb
      .commandCalls(PutCommand)
      .map((call) => call.args[0].input.Item ?? {})
      .find((item) => item.ref === 'o-b');
    expect(ddb).toHaveReceivedCommandTimes(DeleteCommand, 1);
    const released = ddb.commandCalls(DeleteCommand)[0]?.args[0].input;
    expect(released?.Key).toEqual(emailKeys.sent('o-b', 'order-confirmed'));
    expect(readable(released?.ConditionExpression, released ?? {})).toBe(
      `status = "SENDING" AND leaseId = "${claimOfB?.leaseId}"`,
    );
  });

  it('reports a fully failed batch record by record instead of throwing', async () => {
    // Prepare
    storeOrder(order('o-1'));
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ses.on(SendEmailCommand).rejects(throttling());

    // Act
    const response = await run(message('o-1', 'order-confirmed', 'm-1'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });

  it.each([
    ['not JSON', '{"orderId": '],
    ['an unknown kind', JSON.stringify({ orderId: 'o-1', kind: 'newsletter' })],
    ['no order id', JSON.stringify({ kind: 'hold-expired' })],
    ['a non-object', JSON.stringify(['o-1', 'hold-expired'])],
  ])(
    'treats a body with %s as processed: not retried, its neighbour still sent',
    async (_case, body) => {
      // Prepare
      storeOrder(order('o-ok'));
      ddb.on(PutCommand).resolves({});
      ddb.on(UpdateCommand).resolves({});
      ses.on(SendEmailCommand).resolves({ MessageId: 'ses-ok' });

      // Act
      const response = await run(
        sqsRecord(body, { messageId: 'm-bad' }),
        message('o-ok', 'hold-expired', 'm-ok'),
      );

      // Assess: nothing to retry; only the valid record read an order, claimed and sent.
      expect(response).toEqual({ batchItemFailures: [] });
      expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: orderKeys.order('o-ok') });
      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
      expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
        Destination: { ToAddresses: ['o-ok@example.com'] },
      });
    },
  );

  it('treats a batch of only a malformed body as processed', async () => {
    // Act
    const response = await run(sqsRecord('', { messageId: 'm-empty' }));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('does not send when the marker says SENT', async () => {
    // Prepare
    storeOrder(order('o-1'));
    ddb.on(PutCommand).rejects(
      conditionFailed({
        ...emailKeys.sent('o-1', 'order-confirmed'),
        status: 'SENT',
        sentAt: '2030-01-01T00:02:00.000Z',
        messageId: 'ses-earlier',
      }),
    );

    // Act
    const response = await run(message('o-1', 'order-confirmed', 'm-dup'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('fails the record, without sending, while another delivery holds a live lease', async () => {
    // Prepare
    storeOrder(order('o-1'));
    ddb.on(PutCommand).rejects(
      conditionFailed({
        ...emailKeys.sent('o-1', 'order-confirmed'),
        status: 'SENDING',
        leaseId: 'someone-else',
        leaseExpiresAt: '2999-01-01T00:00:00.000Z',
      }),
    );

    // Act
    const response = await run(message('o-1', 'order-confirmed', 'm-busy'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-busy' }] });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('does not fail the record when the email went out but marking it SENT failed', async () => {
    // Prepare: a retry could only send a duplicate, so the failure is logged, not thrown.
    storeOrder(order('o-1'));
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb
      .on(UpdateCommand, { Key: emailKeys.sent('o-1', 'order-confirmed') })
      .rejects(new Error('DynamoDB unavailable'));
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    // Act
    const response = await run(message('o-1', 'order-confirmed', 'm-1'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it('fails the record when the order read fails, before claiming anything', async () => {
    // Prepare
    ddb.on(GetCommand).rejects(new Error('DynamoDB unavailable'));

    // Act
    const response = await run(message('o-1', 'order-confirmed', 'm-1'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('drops a message for an order that does not exist, without claiming', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    const response = await run(message('o-gone', 'hold-expired', 'm-gone'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('drops an email over its recipient’s hourly cap: not sent, not retried, counted as EmailsCapped', async () => {
    // Prepare: the recipient's window is full, so the counter's condition fails.
    storeOrder(order('o-cap'));
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ddb.on(UpdateCommand).callsFake((input: { Key: { pk: string } }) => {
      if (input.Key.pk.startsWith('EMAIL_CAP#')) throw conditionFailed();
      return {};
    });
    const count = vi.spyOn(businessMetrics, 'count');
    const counted: string[] = [];

    // Act
    let response: Awaited<ReturnType<typeof run>>;
    try {
      response = await run(message('o-cap', 'order-confirmed', 'm-cap'));
    } finally {
      // Restoring clears the calls: keep them first.
      counted.push(...count.mock.calls.map(([event]) => event));
      count.mockRestore();
    }

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    // Its claim is given back, so the marker never says SENT for an email that was not.
    expect(markerUpdates()).toEqual([]);
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual(
      emailKeys.sent('o-cap', 'order-confirmed'),
    );
    // Counted for the metric (business-metrics.test.ts reads such counts back as EMF).
    expect(counted).toEqual(['EmailsCapped']);
  });
});
