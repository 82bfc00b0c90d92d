import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  GoneException,
  PostToConnectionCommand,
  type PostToConnectionCommandInput,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/live-broadcast.js';
import { localContext } from '../../local/api-event.js';
import { eventKeys, liveKeys, orderKeys } from '../../shared/db/table.js';
import { LIVE_LIMITS } from '../../shared/domain/live-availability.js';
import { readableUpdate } from '../support/expressions.js';
import {
  inventoryChange,
  inventoryItem,
  seatItem,
  streamRecord,
} from '../support/live-fixtures.js';

// Every instance, including those shared/composition/live.ts builds at import.
const ddb = mockClient(DynamoDBDocumentClient);
const api = mockClient(ApiGatewayManagementApiClient);

const EVENT = 'ev-hot';
const TABLE = 'unit-test-table';

/**
 * The event's BROADCAST item, kept as DynamoDB would under the broadcaster's claim and
 * end updates: a claim is refused (with the item as it stood) while a push is under way
 * or the last one ended under 500 ms before; an end only by the claim's token.
 */
let window: Record<string, number | string> | undefined;

const conditionFailed = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item && { Item: marshall(item) }),
  });

function applyToWindow(input: UpdateCommandInput) {
  const { update } = readableUpdate(input);
  const number = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(update)?.[1]);
  const token = /token="([^"]+)"/.exec(update)?.[1];
  if (update.startsWith('SET startedAt=')) {
    const now = number('startedAt');
    const leased = window?.leaseUntil !== undefined && (window.leaseUntil as number) >= now;
    const rested = window?.endedAt === undefined || (window.endedAt as number) + 500 <= now;
    if (window && (leased || !rested)) throw conditionFailed(window);
    window = { ...window, startedAt: now, leaseUntil: number('leaseUntil'), token: token ?? '' };
    return {};
  }
  const { condition } = readableUpdate(input);
  if (!window || !condition.includes(`"${window.token}"`)) throw conditionFailed();
  const { leaseUntil: _, ...rest } = window;
  window = { ...rest, endedAt: number('endedAt') };
  return {};
}

/** The event's current INVENTORY, as the push reads it. */
function storeInventory(available: Record<string, number>, eventId = EVENT) {
  ddb
    .on(GetCommand, { Key: eventKeys.inventory(eventId) })
    .resolves({ Item: inventoryItem(eventId, available) });
}

function storeFollowers(connectionIds: string[], eventId = EVENT) {
  ddb
    .on(QueryCommand, {
      ExpressionAttributeValues: { ':pk': liveKeys.followersPartition(eventId) },
    })
    .resolves({ Items: connectionIds.map((id) => liveKeys.subscription(eventId, id)) });
}

/** What each connection was sent, parsed, in order. */
function posted(): Record<string, any[]> {
  const sent: Record<string, any[]> = {};
  for (const call of api.commandCalls(PostToConnectionCommand)) {
    const { ConnectionId, Data } = call.args[0].input as PostToConnectionCommandInput;
    const id = ConnectionId as string;
    sent[id] = [...(sent[id] ?? []), JSON.parse(String(Data))];
  }
  return sent;
}

const run = (records: DynamoDBRecord[], remainingMs = 10_000) =>
  handler(
    { Records: records },
    { ...localContext('Broadcaster'), getRemainingTimeInMillis: () => remainingMs },
  );

beforeEach(() => {
  ddb.reset();
  api.reset();
  window = undefined;
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(UpdateCommand, { Key: liveKeys.broadcast(EVENT) }).callsFake(applyToWindow);
  api.on(PostToConnectionCommand).resolves({});
});

describe('live broadcaster (functions/live-broadcast)', () => {
  it('pushes the current availability once to every follower, however many records the event has', async () => {
    // Prepare
    storeInventory({ ga: 3, vip: 5 });
    storeFollowers(['c1', 'c2', 'c3']);
    const records = [
      inventoryChange(EVENT, { ga: 10, vip: 5 }, { ga: 9, vip: 5 }),
      inventoryChange(EVENT, { ga: 9, vip: 5 }, { ga: 7, vip: 5 }),
      inventoryChange('ev-quiet', { ga: 4 }, { ga: 3 }),
      inventoryChange(EVENT, { ga: 7, vip: 5 }, { ga: 4, vip: 5 }),
    ];

    // Act
    const response = await run(records);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const message = {
      type: 'availability',
      eventId: EVENT,
      ticketTypes: [
        { id: 'ga', available: 3 },
        { id: 'vip', available: 5 },
      ],
    };
    expect(posted()).toEqual({ c1: [message], c2: [message], c3: [message] });
    // Read after the claim, strongly consistent: the state now, not the records' images.
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: eventKeys.inventory(EVENT),
      ConsistentRead: true,
    });
    // Nobody follows ev-quiet: not even a claim of its window.
    expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, {
      Key: liveKeys.broadcast('ev-quiet'),
    });
    expect(window?.endedAt).toBeGreaterThanOrEqual(window?.startedAt as number);
  });

  it('ignores records that change nothing a follower sees, without a single call', async () => {
    const paid = inventoryItem(EVENT, { ga: 4 });
    const records = [
      // A payment: held becomes sold, available stays.
      streamRecord('MODIFY', { old: paid, new: { ...paid, orderCount: 9 } }),
      streamRecord('INSERT', {
        new: { ...orderKeys.order('o-1'), entity: 'Order', eventId: EVENT },
      }),
      streamRecord('MODIFY', {
        old: { ...liveKeys.broadcast(EVENT), startedAt: 1 },
        new: { ...liveKeys.broadcast(EVENT), startedAt: 2 },
      }),
      // Kept for the waitlist: still held to everyone else.
      streamRecord('MODIFY', {
        old: seatItem(EVENT, 1, 'HELD'),
        new: seatItem(EVENT, 1, 'RESERVED'),
      }),
    ];

    const response = await run(records);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(api).not.toHaveReceivedAnyCommand();
  });

  it('sends the seats that changed, each once with its last status, after the availability', async () => {
    storeInventory({ stalls: 6 });
    storeFollowers(['c1']);
    const records = [
      streamRecord('INSERT', { new: seatItem(EVENT, 1, 'HELD') }),
      streamRecord('INSERT', { new: seatItem(EVENT, 2, 'HELD') }),
      inventoryChange(EVENT, { stalls: 8 }, { stalls: 6 }),
      streamRecord('MODIFY', { old: seatItem(EVENT, 2, 'HELD'), new: seatItem(EVENT, 2, 'SOLD') }),
      streamRecord('REMOVE', { old: seatItem(EVENT, 3, 'HELD') }),
    ];

    await run(records);

    expect(posted().c1).toEqual([
      { type: 'availability', eventId: EVENT, ticketTypes: [{ id: 'stalls', available: 6 }] },
      {
        type: 'seats',
        eventId: EVENT,
        seats: [
          { id: 'Main-A-1', status: 'HELD' },
          { id: 'Main-A-2', status: 'SOLD' },
          { id: 'Main-A-3', status: 'AVAILABLE' },
        ],
      },
    ]);
  });

  it('deletes a gone connection (410) and all its subscriptions, and still tells the others', async () => {
    storeInventory({ ga: 1 });
    storeFollowers(['c1', 'gone', 'c3']);
    api
      .on(PostToConnectionCommand, { ConnectionId: 'gone' })
      .rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
    ddb
      .on(GetCommand, { Key: liveKeys.connection('gone') })
      .resolves({ Item: { ...liveKeys.connection('gone'), eventIds: new Set([EVENT, 'ev-2']) } });
    ddb.on(BatchWriteCommand).resolves({});

    const response = await run([inventoryChange(EVENT, { ga: 2 }, { ga: 1 })]);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(Object.keys(posted()).sort()).toEqual(['c1', 'c3', 'gone']);
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.[TABLE] ?? [])
      .map((request) => request.DeleteRequest?.Key);
    expect(deleted).toEqual([
      liveKeys.subscription(EVENT, 'gone'),
      liveKeys.subscription('ev-2', 'gone'),
      liveKeys.connection('gone'),
    ]);
  });

  it("reports the event's first record when a post fails otherwise, and ends its push", async () => {
    storeInventory({ ga: 1 });
    storeFollowers(['c1', 'c2']);
    api.on(PostToConnectionCommand, { ConnectionId: 'c2' }).rejects(
      new ApiGatewayManagementApiServiceException({
        name: 'InternalServerErrorException',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'boom',
      }),
    );
    const first = inventoryChange(EVENT, { ga: 3 }, { ga: 2 });
    const quiet = inventoryChange('ev-quiet', { ga: 3 }, { ga: 2 });

    const response = await run([quiet, first, inventoryChange(EVENT, { ga: 2 }, { ga: 1 })]);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: first.dynamodb?.SequenceNumber }],
    });
    expect(window).not.toHaveProperty('leaseUntil');
    expect(window?.endedAt).toBeDefined();
  });
});

describe('coalescing across batches', () => {
  it('a second batch within 500 ms does not push at once, but pushes the final state when its window opens', async () => {
    storeFollowers(['c1']);
    storeInventory({ ga: 7 });
    await run([inventoryChange(EVENT, { ga: 8 }, { ga: 7 })]);
    const firstEnded = window?.endedAt as number;
    storeInventory({ ga: 5 });

    await run([
      inventoryChange(EVENT, { ga: 7 }, { ga: 6 }),
      inventoryChange(EVENT, { ga: 6 }, { ga: 5 }),
    ]);

    const messages = posted().c1 ?? [];
    expect(messages.map((message) => message.ticketTypes[0].available)).toEqual([7, 5]);
    // Refused once (the window was closed), then claimed when it opened.
    expect(ddb.commandCalls(UpdateCommand).length).toBe(2 + 3);
    expect(window?.startedAt as number).toBeGreaterThanOrEqual(firstEnded + 500);
  });

  it('pushes nothing for a batch that a push begun after it arrived covers', async () => {
    storeFollowers(['c1']);
    storeInventory({ ga: 5 });
    // Another invocation claimed the window just now and is pushing.
    window = { startedAt: Date.now() + 1_000, leaseUntil: Date.now() + 5_000, token: 'other' };
    const started = performance.now();

    const response = await run([inventoryChange(EVENT, { ga: 6 }, { ga: 5 })]);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(api).not.toHaveReceivedAnyCommand();
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('still pushes seat changes a push under way cannot know of, once it has ended', async () => {
    storeFollowers(['c1']);
    storeInventory({ stalls: 7 });
    // A push that started after this batch arrived, still under way for 200 ms.
    window = { startedAt: Date.now() + 1_000, leaseUntil: Date.now() + 200, token: 'other' };

    await run([streamRecord('INSERT', { new: seatItem(EVENT, 4, 'HELD') })]);

    expect(posted().c1).toEqual([
      { type: 'seats', eventId: EVENT, seats: [{ id: 'Main-A-4', status: 'HELD' }] },
    ]);
  });

  it('hands the batch back when its window cannot open before the invocation ends', async () => {
    storeFollowers(['c1']);
    // A push begun before this batch arrived, holding its lease for another 10 s.
    window = { startedAt: Date.now() - 100, leaseUntil: Date.now() + 10_000, token: 'other' };
    const record = inventoryChange(EVENT, { ga: 6 }, { ga: 5 });

    const response = await run([record], LIVE_LIMITS.pushBudgetMs + 300);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber }],
    });
    expect(api).not.toHaveReceivedAnyCommand();
  });
});
