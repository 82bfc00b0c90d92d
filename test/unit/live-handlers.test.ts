import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as connect } from '../../functions/live-connect.js';
import { handler as fallback } from '../../functions/live-default.js';
import { handler as disconnect } from '../../functions/live-disconnect.js';
import { handler as subscribe } from '../../functions/live-subscribe.js';
import { handler as unsubscribe } from '../../functions/live-unsubscribe.js';
import { liveRoutes } from '../../shared/api/live-routes.js';
import { eventKeys, liveKeys } from '../../shared/db/table.js';
import { readableUpdate } from '../support/expressions.js';
import { inventoryItem, websocketEvent } from '../support/live-fixtures.js';
import { transactionCanceled } from '../support/orders-fixtures.js';

// Every instance, including the one shared/composition/dynamodb.ts builds at import.
const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddb.reset();
});

const TABLE = 'unit-test-table';
const CONNECTION = 'conn-1=';

const message = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

function storeInventory(eventId: string, available: Record<string, number>, status?: string) {
  const item = inventoryItem(eventId, available, status);
  ddb.on(GetCommand, { Key: eventKeys.inventory(eventId) }).resolves({ Item: item });
}

/** The reply's status and the message the client gets, parsed. */
async function answer(reply: Promise<{ statusCode: number; body?: string }>) {
  const { statusCode, body } = await reply;
  return { statusCode, message: body === undefined ? undefined : JSON.parse(body) };
}

describe('subscribe (functions/live-subscribe)', () => {
  it('stores the subscription with its connection, then answers with the availability read after it', async () => {
    // Prepare
    const eventId = 'ev-1';
    const item = inventoryItem(eventId, { ga: 10, vip: 5 });
    // Stored with VIP first: the answer follows the types' positions, not the map.
    const { ga, vip } = item.ticketTypes as Record<string, unknown>;
    ddb
      .on(GetCommand, { Key: eventKeys.inventory(eventId) })
      .resolvesOnce({ Item: { ...item, ticketTypes: { vip, ga } } })
      .resolves({ Item: inventoryItem(eventId, { ga: 9, vip: 5 }) });
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const reply = await answer(
      subscribe(websocketEvent('subscribe', message({ action: 'subscribe', eventId }))),
    );

    // Assess
    expect(reply).toEqual({
      statusCode: 200,
      message: {
        type: 'subscribed',
        eventId,
        ticketTypes: [
          { id: 'ga', available: 9 },
          { id: 'vip', available: 5 },
        ],
      },
    });
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(2);
    const [follow, put] = items;
    expect(follow?.Update?.Key).toEqual(liveKeys.connection(CONNECTION));
    expect(readableUpdate(follow?.Update)).toEqual({
      update: `ADD eventIds {}`,
      condition: 'attribute_exists(pk)',
    });
    expect(follow?.Update?.ExpressionAttributeValues).toEqual({ ':0': new Set([eventId]) });
    const nowSeconds = Date.now() / 1000;
    expect(put?.Put?.Item).toMatchObject({
      ...liveKeys.subscription(eventId, CONNECTION),
      eventId,
      connectionId: CONNECTION,
      ttl: expect.closeTo(nowSeconds + 7200, -1),
    });
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ TableName: TABLE, ConsistentRead: true }),
      expect.objectContaining({ TableName: TABLE, ConsistentRead: true }),
    ]);
  });

  it.each([
    ['a draft', 'DRAFT'],
    ['a cancelled event', 'CANCELLED'],
  ])('answers NOT_FOUND for %s and stores nothing', async (_, status) => {
    storeInventory('ev-2', { ga: 10 }, status);

    const reply = await answer(
      subscribe(websocketEvent('subscribe', message({ action: 'subscribe', eventId: 'ev-2' }))),
    );

    expect(reply).toEqual({
      statusCode: 404,
      message: { type: 'error', code: 'NOT_FOUND', message: 'No published event ev-2 to follow' },
    });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers NOT_FOUND for an unknown event', async () => {
    ddb.on(GetCommand).resolves({});

    const reply = await answer(
      subscribe(websocketEvent('subscribe', message({ action: 'subscribe', eventId: 'nope' }))),
    );

    expect(reply.message).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it.each([
    ['not JSON', '{"action": "subscribe",', 'body'],
    ['no eventId', { action: 'subscribe' }, 'body.eventId'],
    ['an empty eventId', { action: 'subscribe', eventId: '' }, 'body.eventId'],
    ['a number for eventId', { action: 'subscribe', eventId: 7 }, 'body.eventId'],
    ['an unknown field', { action: 'subscribe', eventId: 'ev-1', from: 0 }, 'body.from'],
  ])('answers %s with VALIDATION_FAILED, touching no table', async (_, body, path) => {
    const reply = await answer(subscribe(websocketEvent('subscribe', message(body))));

    expect(reply.statusCode).toBe(400);
    expect(reply.message).toMatchObject({
      type: 'error',
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ path })],
    });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('answers nothing when the connection has gone meanwhile', async () => {
    storeInventory('ev-1', { ga: 10 });
    ddb.on(TransactWriteCommand).rejects(transactionCanceled('ConditionalCheckFailed', 'None'));

    const reply = await answer(
      subscribe(websocketEvent('subscribe', message({ action: 'subscribe', eventId: 'ev-1' }))),
    );

    expect(reply).toEqual({ statusCode: 200, message: undefined });
  });

  it('answers INTERNAL, and nothing more, when the table fails', async () => {
    ddb.on(GetCommand).rejects(new Error('DynamoDB is down: secret detail'));

    const reply = await answer(
      subscribe(websocketEvent('subscribe', message({ action: 'subscribe', eventId: 'ev-1' }))),
    );

    expect(reply.statusCode).toBe(500);
    expect(reply.message).toEqual({
      type: 'error',
      code: 'INTERNAL',
      message: expect.not.stringContaining('secret'),
    });
  });
});

describe('unsubscribe (functions/live-unsubscribe)', () => {
  it('deletes the subscription and takes the event off the connection', async () => {
    ddb.on(DeleteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    const reply = await answer(
      unsubscribe(
        websocketEvent('unsubscribe', message({ action: 'unsubscribe', eventId: 'ev-1' })),
      ),
    );

    expect(reply).toEqual({
      statusCode: 200,
      message: { type: 'unsubscribed', eventId: 'ev-1' },
    });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: liveKeys.subscription('ev-1', CONNECTION),
    });
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual(liveKeys.connection(CONNECTION));
    expect(readableUpdate(update).update).toBe('DELETE eventIds {}');
  });

  it('answers a bad message with VALIDATION_FAILED', async () => {
    const reply = await answer(
      unsubscribe(websocketEvent('unsubscribe', message({ action: 'unsubscribe' }))),
    );

    expect(reply.message).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});

describe('$default (functions/live-default)', () => {
  it.each([
    ['an unknown action', { action: 'follow', eventId: 'ev-1' }, 'body.action'],
    ['no action', { eventId: 'ev-1' }, 'body.action'],
    ['not JSON', 'hello', 'body'],
    ['JSON that is no object', '[1, 2]', 'body'],
  ])('answers %s with VALIDATION_FAILED', async (_, body, path) => {
    const reply = await answer(fallback(websocketEvent('$default', message(body))));

    expect(reply.statusCode).toBe(400);
    expect(reply.message).toMatchObject({
      type: 'error',
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ path })],
    });
  });
});

describe('$connect and $disconnect', () => {
  it('stores the connection with a TTL at its longest life, two hours', async () => {
    ddb.on(PutCommand).resolves({});

    const reply = await connect(websocketEvent('$connect'));

    expect(reply).toEqual({ statusCode: 200 });
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      ...liveKeys.connection(CONNECTION),
      connectionId: CONNECTION,
      ttl: expect.closeTo(Date.now() / 1000 + 7200, -1),
    });
  });

  it('refuses the connection (500) when the table fails', async () => {
    ddb.on(PutCommand).rejects(new Error('throttled'));

    expect((await connect(websocketEvent('$connect'))).statusCode).toBe(500);
  });

  it('deletes the connection and every subscription it has', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    ddb
      .on(GetCommand, { Key: liveKeys.connection(CONNECTION) })
      .resolves({ Item: { ...liveKeys.connection(CONNECTION), eventIds: new Set(['a', 'b']) } });

    expect(await disconnect(websocketEvent('$disconnect'))).toEqual({ statusCode: 200 });

    expect(ddb).toHaveReceivedCommandWith(GetCommand, { ConsistentRead: true });
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.[TABLE] ?? [])
      .map((request) => request.DeleteRequest?.Key);
    expect(deleted).toEqual([
      liveKeys.subscription('a', CONNECTION),
      liveKeys.subscription('b', CONNECTION),
      liveKeys.connection(CONNECTION),
    ]);
  });
});

describe('the route records', () => {
  it.each([
    ['$connect', connect],
    ['$disconnect', disconnect],
    ['subscribe', subscribe],
    ['unsubscribe', unsubscribe],
    ['$default', fallback],
  ] as const)('builds the %s handler from its own route record', (routeKey, handler) => {
    expect(handler.route).toBe(liveRoutes.find((route) => route.routeKey === routeKey));
  });

  it('fails loudly when a handler runs behind another route', async () => {
    const reply = await answer(
      subscribe(websocketEvent('unsubscribe', message({ action: 'subscribe', eventId: 'e' }))),
    );

    expect(reply.statusCode).toBe(500);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
