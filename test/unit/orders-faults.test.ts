import { InternalServerError } from '@aws-sdk/client-dynamodb';
import {
  ConflictException,
  CreateScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import { customerContext } from '../support/events-fixtures.js';
import { readable, readableUpdate } from '../support/expressions.js';
import { expectProblem, invoke } from '../support/invoke.js';
import {
  FUTURE_STARTS_AT,
  storedEventItems,
  storedOrderItem,
  transactionCanceled,
} from '../support/orders-fixtures.js';

/*
 * Faults on the hold and expiry paths, with every AWS client mocked: what a cancelled
 * or failed transaction does to the answer, and that nothing downstream of a write that
 * did not commit (the expiry schedule, the email) happens.
 */

// Mocks every instance, including the ones the composition builds at import.
const ddb = mockClient(DynamoDBDocumentClient);
const scheduler = mockClient(SchedulerClient);
const sqs = mockClient(SQSClient);

beforeEach(() => {
  ddb.reset();
  scheduler.reset();
  sqs.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

const TABLE = 'unit-test-table';

/** An event on sale, read by the hold, and the request for 2 of its GA tickets. */
function onSale(options: Parameters<typeof storedEventItems>[0] = {}) {
  const event = storedEventItems(options);
  ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [event.meta, event.inventory] } });
  const customer = customerContext();
  const send = () =>
    invoke('POST', `/v1/events/${event.id}/orders`, {
      as: customer,
      body: { items: [{ ticketTypeId: 'tt-ga', quantity: 2 }] },
    });
  return { event, customer, send };
}

/** The INVENTORY item as DynamoDB returns it for ALL_OLD: raw attribute values. */
function rawInventory(status: string, startsAt = FUTURE_STARTS_AT) {
  return { status: { S: status }, startsAt: { S: startsAt } };
}

/** A seated event on sale (GA seated in Main: 2 rows of 10), and a request for `seatIds`. */
function seatedOnSale(seatIds: string[]) {
  const event = storedEventItems();
  const seating = {
    sections: [
      {
        name: 'Main',
        ticketTypeId: 'tt-ga',
        rows: [
          { label: 'A', seats: 10 },
          { label: 'B', seats: 10 },
        ],
      },
    ],
  };
  ddb.on(BatchGetCommand).resolves({
    Responses: { [TABLE]: [{ ...event.meta, seating }, event.inventory] },
  });
  const send = () =>
    invoke('POST', `/v1/events/${event.id}/orders`, { as: customerContext(), body: { seatIds } });
  return { event, send };
}

describe('hold by seat: a cancelled transaction', () => {
  const seatIds = ['Main-B-10', 'Main-A-1', 'Main-A-2'];
  // The inventory, the customer's counter and the order come first, then one Put a seat.
  const fixed = ['None', 'None', 'None'];

  it('writes one conditional Put per seat after the order, in the order asked', async () => {
    const { event, send } = seatedOnSale(seatIds);
    ddb.on(TransactWriteCommand).resolves({});

    const response = await send();

    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.slice(3).map((item) => item.Put?.Item)).toEqual([
      expect.objectContaining({
        pk: `EVENT#${event.id}#SEATS#Main`,
        sk: 'B#010',
        seatId: 'Main-B-10',
      }),
      expect.objectContaining({
        pk: `EVENT#${event.id}#SEATS#Main`,
        sk: 'A#001',
        seatId: 'Main-A-1',
      }),
      expect.objectContaining({
        pk: `EVENT#${event.id}#SEATS#Main`,
        sk: 'A#002',
        seatId: 'Main-A-2',
      }),
    ]);
    for (const item of items.slice(3)) {
      expect(readable(item.Put?.ConditionExpression, item.Put ?? {})).toBe(
        'attribute_not_exists(pk)',
      );
    }
  });

  it('409 SEAT_UNAVAILABLE naming exactly the seats whose Put failed; no schedule', async () => {
    const { send } = seatedOnSale(seatIds);
    ddb
      .on(TransactWriteCommand)
      .rejects(
        transactionCanceled(...fixed, 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'),
      );

    const response = await send();

    expectProblem(response, 409, 'SEAT_UNAVAILABLE');
    expect(response.body.errors).toEqual([
      { path: 'body.seatIds.0', message: 'seat Main-B-10 is not available' },
      { path: 'body.seatIds.2', message: 'seat Main-A-2 is not available' },
    ]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('a taken seat is the answer even when the stock ran short with it', async () => {
    const { send } = seatedOnSale(seatIds);
    ddb
      .on(TransactWriteCommand)
      .rejects(
        transactionCanceled(
          { Code: 'ConditionalCheckFailed', Item: rawInventory('PUBLISHED') },
          'None',
          'None',
          'None',
          'ConditionalCheckFailed',
          'None',
        ),
      );

    const response = await send();

    expectProblem(response, 409, 'SEAT_UNAVAILABLE');
    expect(response.body.errors).toEqual([
      { path: 'body.seatIds.1', message: 'seat Main-A-1 is not available' },
    ]);
  });

  it('an event no longer on sale is that, whatever the seats', async () => {
    const { send } = seatedOnSale(seatIds);
    ddb
      .on(TransactWriteCommand)
      .rejects(
        transactionCanceled(
          { Code: 'ConditionalCheckFailed', Item: rawInventory('CANCELLED') },
          'None',
          'None',
          'ConditionalCheckFailed',
          'None',
          'None',
        ),
      );

    expectProblem(await send(), 409, 'EVENT_NOT_ON_SALE');
  });
});

describe('hold: a cancelled or failed transaction', () => {
  it('409 SOLD_OUT when the inventory condition fails on an event on sale; no schedule, no retry', async () => {
    // Prepare
    const { send } = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejects(
        transactionCanceled(
          { Code: 'ConditionalCheckFailed', Item: rawInventory('PUBLISHED') },
          'None',
          'None',
        ),
      );

    // Act
    const response = await send();

    // Assess
    expectProblem(response, 409, 'SOLD_OUT');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('409 SOLD_OUT at once when the consistent read already shows too few tickets; no write', async () => {
    // Prepare: 1 left, 2 asked for
    const { send } = onSale({ available: 1 });

    // Act
    const response = await send();

    // Assess
    expectProblem(response, 409, 'SOLD_OUT');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('409 EVENT_NOT_ON_SALE when the event was cancelled between the read and the write', async () => {
    const { send } = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejects(
        transactionCanceled(
          { Code: 'ConditionalCheckFailed', Item: rawInventory('CANCELLED') },
          'None',
          'None',
        ),
      );

    const response = await send();

    expectProblem(response, 409, 'EVENT_NOT_ON_SALE');
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('409 EVENT_NOT_ON_SALE when the event started between the read and the write', async () => {
    const { send } = onSale();
    ddb.on(TransactWriteCommand).rejects(
      transactionCanceled(
        {
          Code: 'ConditionalCheckFailed',
          Item: rawInventory('PUBLISHED', '2000-01-01T00:00:00.000Z'),
        },
        'None',
        'None',
      ),
    );

    expectProblem(await send(), 409, 'EVENT_NOT_ON_SALE');
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('400 LIMIT_EXCEEDED when only the per-customer counter condition fails', async () => {
    const { send } = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejects(transactionCanceled('None', 'ConditionalCheckFailed', 'None'));

    expectProblem(await send(), 400, 'LIMIT_EXCEEDED');
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('retries a transaction that only lost to a concurrent one, with the same items, then schedules once', async () => {
    // Prepare
    const { event, send } = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCanceled('TransactionConflict', 'None', 'None'))
      .rejectsOnce(transactionCanceled('None', 'TransactionConflict', 'None'))
      .resolves({});

    // Act
    const response = await send();

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(3);
    expect(calls[1]?.args[0].input).toEqual(calls[0]?.args[0].input);
    expect(calls[2]?.args[0].input).toEqual(calls[0]?.args[0].input);
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    const schedule = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    expect(schedule).toMatchObject({
      Name: `hold-${response.body.id}`,
      ScheduleExpression: `at(${String(response.body.expiresAt).slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
    });
    expect(JSON.parse(schedule?.Target?.Input ?? '{}')).toEqual({ orderId: response.body.id });
    expect(response.body).toMatchObject({ eventId: event.id, status: 'HELD', amountCents: 10000 });
  });

  it('gives up on a transaction that keeps conflicting: no 201, no schedule, no internals leaked', async () => {
    const { send } = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejects(transactionCanceled('TransactionConflict', 'None', 'None'));

    const response = await send();

    expectProblem(response, 409, 'CONCURRENT_MODIFICATION');
    expect(JSON.stringify(response.body)).not.toMatch(
      /TransactionConflict|Transaction cancelled|\n\s+at /,
    );
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 8);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('500 INTERNAL on a DynamoDB service error: not retried by the domain, no schedule, no internals', async () => {
    const { send } = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejects(new InternalServerError({ message: 'secret table detail', $metadata: {} }));

    const response = await send();

    expectProblem(response, 500, 'INTERNAL');
    expect(JSON.stringify(response.body)).not.toContain('secret table detail');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('still answers 201 when the schedule cannot be created after the commit (the sweep covers it)', async () => {
    const { send } = onSale();
    ddb.on(TransactWriteCommand).resolves({});
    scheduler.on(CreateScheduleCommand).rejects(new Error('scheduler throttled'));

    const response = await send();

    expect(response.status).toBe(201);
    expect(response.body.status).toBe('HELD');
  });

  it('treats an existing schedule for the order as created', async () => {
    const { send } = onSale();
    ddb.on(TransactWriteCommand).resolves({});
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));

    expect((await send()).status).toBe(201);
  });

  it('writes the stock, the customer counter and the order in one conditional transaction', async () => {
    // Prepare
    const { event, customer, send } = onSale({ maxTicketsPerOrder: 6 });
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const response = await send();

    // Assess
    expect(response.status).toBe(201);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(3);
    const [inventory, counter, order] = items;
    expect(inventory?.Update).toMatchObject({
      TableName: TABLE,
      Key: { pk: `EVENT#${event.id}`, sk: 'INVENTORY' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const stock = readableUpdate(inventory?.Update);
    // On sale now (the time of the write), and 2 still available.
    expect(stock.condition).toMatch(
      /^status = "PUBLISHED" AND startsAt > "[\d-]+T[\d:.]+Z" AND ticketTypes\.tt-ga\.available >= 2$/,
    );
    expect(stock.update).toBe(
      'ADD orderCount 1,ticketTypes.tt-ga.available -2,ticketTypes.tt-ga.held 2',
    );
    // The customer may hold at most maxTicketsPerOrder live tickets: room for 6 − 2 before.
    // On the customer's own key: the event's partition is written once per hold.
    expect(counter?.Update?.Key).toEqual({
      pk: `CUSTOMER#${customer.userId}#TICKETS`,
      sk: `EVENT#${event.id}`,
    });
    expect(readableUpdate(counter?.Update)).toEqual({
      update: 'ADD live 2',
      condition: 'attribute_not_exists(live) OR live <= 4',
    });
    expect(readable(order?.Put?.ConditionExpression, order?.Put ?? {})).toBe(
      'attribute_not_exists(pk)',
    );
    expect(order?.Put).toMatchObject({
      Item: {
        pk: `ORDER#${response.body.id}`,
        sk: 'ORDER',
        status: 'HELD',
        organizerId: 'org-owner',
        customerEmail: customer.email,
        gsi1pk: `EVENT_ORDERS#${event.id}`,
        gsi2pk: `CUSTOMER#${customer.userId}`,
        gsi5pk: expect.stringMatching(/^HOLD_EXPIRY#\d\d$/),
        gsi5sk: `${response.body.expiresAt}#${response.body.id}`,
      },
    });
    expect(order?.Put?.Item).not.toHaveProperty('gsi3pk');
  });
});

describe('expiry: a cancelled or failed transaction', () => {
  function dueOrder() {
    const order = storedOrderItem({ status: 'HELD', expiresAt: '2020-01-01T00:10:00.000Z' });
    ddb.on(GetCommand).resolves({ Item: order });
    // The expiry reads the event to tell a lapsed hold from one of a cancelled event.
    const event = storedEventItems({ id: order.eventId as string });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [event.meta, event.inventory] } });
    return order;
  }

  it('changes nothing and sends no email when the order is no longer HELD at write time', async () => {
    const order = dueOrder();
    ddb
      .on(TransactWriteCommand)
      .rejects(transactionCanceled('ConditionalCheckFailed', 'None', 'None', 'None'));

    expect(await expireHold({ orderId: order.id })).toEqual({ expired: false });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('retries a lost race on the hot inventory item, then emails once and clears the outbox', async () => {
    const order = dueOrder();
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCanceled('None', 'TransactionConflict', 'None', 'None'))
      .resolves({});

    expect(await expireHold({ orderId: order.id })).toEqual({ expired: true });

    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    const items = ddb.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(readableUpdate(items[0]?.Update).condition).toMatch(
      /^status = "HELD" AND expiresAt <= "[\d-]+T[\d:.]+Z"$/,
    );
    expect(items[2]?.Put?.Item).toMatchObject({
      pk: `OUTBOX#${order.id}#hold-expired`,
      kind: 'hold-expired',
    });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(
      JSON.parse(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? ''),
    ).toEqual({ orderId: order.id, kind: 'hold-expired' });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { pk: `OUTBOX#${order.id}#hold-expired`, sk: 'MESSAGE' },
    });
  });

  it('fails the invocation on a service error, so the scheduler retries; no email', async () => {
    const order = dueOrder();
    ddb
      .on(TransactWriteCommand)
      .rejects(new InternalServerError({ message: 'boom', $metadata: {} }));

    await expect(expireHold({ orderId: order.id })).rejects.toThrow();
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('keeps the committed email in the outbox when the queue is down', async () => {
    const order = dueOrder();
    ddb.on(TransactWriteCommand).resolves({});
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable'));

    expect(await expireHold({ orderId: order.id })).toEqual({ expired: true });
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
  });

  it('does not write at all for an order not yet due, or not HELD', async () => {
    for (const item of [
      storedOrderItem({ status: 'HELD', expiresAt: '2999-01-01T00:00:00.000Z' }),
      storedOrderItem({ status: 'PAYING' }),
      storedOrderItem({ status: 'CONFIRMED' }),
    ]) {
      ddb.reset();
      ddb.on(GetCommand).resolves({ Item: item });
      expect(await expireHold({ orderId: item.id })).toEqual({ expired: false });
      expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    }
  });
});
