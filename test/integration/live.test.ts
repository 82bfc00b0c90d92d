import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import type { RunningGateway } from '../../local/gateway.js';
import { LIVE_BROADCASTER, startTableStream, type TableStream } from '../../local/table-stream.js';
import { liveKeys } from '../../shared/db/table.js';
import { readInventory, seatRows } from '../support/events-api.js';
import { eventBody } from '../support/events-fixtures.js';
import {
  type Actor,
  registerActor,
  registerAdmin,
  send,
  startTestGateway,
} from '../support/http-api.js';
import { LiveClient } from '../support/live-client.js';
import { documentClient, setExpiresAt, tableName } from '../support/orders-api.js';

/*
 * Live availability on the local stack: the gateway's WebSocket API at /live and the
 * reader of DynamoDB Local's stream, running the handlers the stack deploys. Every
 * follower here is anonymous; every change is made through the HTTP API (or the expiry
 * job), so each push comes from the stream, never from the write itself.
 */

/** SPEC: a follower gets every change within a second, locally. */
const DELIVERY_MS = 1_000;

let gateway: RunningGateway;
let stream: TableStream;
let organizer: Actor;
let buyers: Actor[];
const clients: LiveClient[] = [];

beforeAll(async () => {
  gateway = await startTestGateway();
  stream = await startTableStream({
    endpoint: inject('dynamoDbEndpoint'),
    tableName: inject('tableName'),
    consumers: [LIVE_BROADCASTER],
    log: () => undefined,
  });
  organizer = await registerAdmin(gateway.url);
  buyers = await Promise.all([1, 2, 3].map(() => registerActor(gateway.url, 'buyer')));
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await stream?.stop();
  await gateway?.close();
});

async function follower(): Promise<LiveClient> {
  const client = await LiveClient.connect(gateway.url);
  clients.push(client);
  return client;
}

async function createEvent(body: Record<string, unknown>, publish = true): Promise<any> {
  const created = await send(gateway.url, 'POST', '/v1/events', {
    token: organizer.token,
    body: eventBody(body),
  });
  expect(created.status, created.text).toBe(201);
  if (!publish) return created.body;
  const published = await send(gateway.url, 'POST', `/v1/events/${created.body.id}/publish`, {
    token: organizer.token,
  });
  expect(published.status, published.text).toBe(200);
  return published.body;
}

/** A hold through the HTTP API; the order and when its 201 arrived. */
async function hold(buyer: Actor, eventId: string, body: unknown) {
  const response = await send(gateway.url, 'POST', `/v1/events/${eventId}/orders`, {
    token: buyer.token,
    body,
  });
  expect(response.status, response.text).toBe(201);
  return { order: response.body, at: performance.now() };
}

const availabilityOf = (message: any, ticketTypeId: string): number | undefined =>
  message.ticketTypes?.find((type: { id: string }) => type.id === ticketTypeId)?.available;

/** Waits for the availability message that shows `available` for the type, from `from` on. */
function availabilityReaching(
  client: LiveClient,
  ticketTypeId: string,
  available: number,
  from: number,
) {
  return client.next(
    (message) =>
      message.type === 'availability' && availabilityOf(message, ticketTypeId) === available,
    { from },
  );
}

async function stored(key: { pk: string; sk: string }) {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('following an event (ws://…/live)', () => {
  it('answers a subscribe at once with every ticket type in order and what is left of it', async () => {
    const event = await createEvent({
      ticketTypes: [
        { name: 'GA', priceCents: 2000, capacity: 10 },
        { name: 'VIP', priceCents: 9000, capacity: 5 },
      ],
    });
    const client = await follower();

    const subscribed = await client.subscribe(event.id);

    expect(subscribed).toEqual({
      type: 'subscribed',
      eventId: event.id,
      ticketTypes: event.ticketTypes.map(({ id, capacity }: any) => ({ id, available: capacity })),
    });
  });

  it('pushes every hold within a second, then the rise when a hold is cancelled or expires', async () => {
    const event = await createEvent({
      ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 10 }],
    });
    const ga = event.ticketTypes[0].id as string;
    const client = await follower();
    await client.subscribe(event.id);
    const [first, second, third] = buyers as [Actor, Actor, Actor];
    const orders: any[] = [];

    for (const [index, buyer] of [first, second, third].entries()) {
      const from = client.received.length;
      const { order, at } = await hold(buyer, event.id, {
        items: [{ ticketTypeId: ga, quantity: 1 }],
      });
      orders.push(order);
      const pushed = await availabilityReaching(client, ga, 9 - index, from);
      expect(pushed.at - at).toBeLessThan(DELIVERY_MS);
    }

    const cancelFrom = client.received.length;
    const cancelled = await send(gateway.url, 'POST', `/v1/orders/${orders[0].id}/cancel`, {
      token: first.token,
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    const cancelAt = performance.now();
    expect((await availabilityReaching(client, ga, 8, cancelFrom)).at - cancelAt).toBeLessThan(
      DELIVERY_MS,
    );

    const expiryFrom = client.received.length;
    await setExpiresAt(orders[1].id, new Date(Date.now() - 1000).toISOString());
    expect(await expireHold({ orderId: orders[1].id })).toEqual({ expired: true });
    const expiredAt = performance.now();
    expect((await availabilityReaching(client, ga, 9, expiryFrom)).at - expiredAt).toBeLessThan(
      DELIVERY_MS,
    );
  });

  it('pushes a capacity edit', async () => {
    const event = await createEvent({
      ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 10 }],
    });
    const ga = event.ticketTypes[0].id as string;
    const client = await follower();
    await client.subscribe(event.id);

    const edited = await send(gateway.url, 'PATCH', `/v1/events/${event.id}`, {
      token: organizer.token,
      body: { ticketTypes: [{ id: ga, capacity: 25 }] },
    });

    expect(edited.status, edited.text).toBe(200);
    await availabilityReaching(client, ga, 25, 0);
  });

  it('coalesces a burst to at most two messages a second, the last one the current state', async () => {
    const event = await createEvent({
      maxTicketsPerOrder: 10,
      ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 100 }],
    });
    const ga = event.ticketTypes[0].id as string;
    const client = await follower();
    await client.subscribe(event.id);

    const holds = buyers.flatMap((buyer) =>
      [1, 2, 3, 4].map(() => hold(buyer, event.id, { items: [{ ticketTypeId: ga, quantity: 1 }] })),
    );
    await Promise.all(holds);
    const final = (await readInventory(event.id)).ticketTypes[ga]?.available;
    expect(final).toBe(100 - holds.length);
    await availabilityReaching(client, ga, final as number, 0);
    // Anything still on its way would arrive within a window.
    await new Promise((resolve) => setTimeout(resolve, 700));

    const pushes = client.received.filter(({ message }) => message.type === 'availability');
    expect(pushes.length).toBeLessThan(holds.length);
    expect(availabilityOf(pushes.at(-1)?.message, ga)).toBe(final);
    // 500 ms from the end of one push to the start of the next; what arrives here also
    // waits for this busy process's event loop, so allow it 100 ms.
    const at = pushes.map((push) => push.at);
    for (let i = 1; i < at.length; i++) {
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThan(400);
    }
    for (let i = 2; i < at.length; i++) {
      expect((at[i] as number) - (at[i - 2] as number)).toBeGreaterThan(900);
    }
  });

  it('stops pushing after unsubscribe', async () => {
    const event = await createEvent({
      ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 10 }],
    });
    const ga = event.ticketTypes[0].id as string;
    const staying = await follower();
    const leaving = await follower();
    await staying.subscribe(event.id);
    await leaving.subscribe(event.id);

    leaving.send({ action: 'unsubscribe', eventId: event.id });
    const answer = await leaving.next((message) => message.type === 'unsubscribed');
    await hold(buyers[0] as Actor, event.id, { items: [{ ticketTypeId: ga, quantity: 2 }] });
    await availabilityReaching(staying, ga, 8, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(answer.message).toEqual({ type: 'unsubscribed', eventId: event.id });
    expect(leaving.messages('availability')).toEqual([]);
  });

  it('sends seats messages for the seats that changed on a seated event', async () => {
    const event = await createEvent({
      ticketTypes: [{ name: 'Stalls', priceCents: 6000 }],
      seating: { sections: [{ name: 'Main', ticketType: 'Stalls', rows: seatRows(4, 4) }] },
    });
    const stalls = event.ticketTypes[0].id as string;
    const client = await follower();
    expect(await client.subscribe(event.id)).toMatchObject({
      ticketTypes: [{ id: stalls, available: 8 }],
    });

    const { order, at } = await hold(buyers[0] as Actor, event.id, {
      seatIds: ['Main-A-1', 'Main-A-2'],
    });
    const held = await client.next((message) => message.type === 'seats');
    const from = client.received.length;
    await send(gateway.url, 'POST', `/v1/orders/${order.id}/cancel`, {
      token: (buyers[0] as Actor).token,
    });
    const released = await client.next((message) => message.type === 'seats', { from });

    expect(held.at - at).toBeLessThan(DELIVERY_MS);
    expect(held.message).toEqual({
      type: 'seats',
      eventId: event.id,
      seats: expect.arrayContaining([
        { id: 'Main-A-1', status: 'HELD' },
        { id: 'Main-A-2', status: 'HELD' },
      ]),
    });
    expect(held.message.seats).toHaveLength(2);
    expect(availabilityOf(client.messages('availability')[0], stalls)).toBe(6);
    expect(released.message.seats).toEqual(
      expect.arrayContaining([
        { id: 'Main-A-1', status: 'AVAILABLE' },
        { id: 'Main-A-2', status: 'AVAILABLE' },
      ]),
    );
  });
});

describe('what cannot be followed', () => {
  it('answers NOT_FOUND for a draft or an unknown event, and stores no subscription', async () => {
    const draft = await createEvent(
      { ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 10 }] },
      false,
    );
    const client = await follower();

    for (const eventId of [draft.id, 'no-such-event']) {
      expect(await client.subscribe(eventId)).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
      const { Items } = await documentClient.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': liveKeys.followersPartition(eventId) },
          ConsistentRead: true,
        }),
      );
      expect(Items).toEqual([]);
    }
  });

  it.each([
    ['not JSON', 'subscribe me'],
    ['an unknown action', { action: 'follow', eventId: 'e1' }],
    ['no action', { eventId: 'e1' }],
    ['a subscribe without eventId', { action: 'subscribe' }],
    ['a subscribe with an unknown field', { action: 'subscribe', eventId: 'e1', since: 0 }],
    ['an unsubscribe with a number for eventId', { action: 'unsubscribe', eventId: 42 }],
  ])('answers %s with VALIDATION_FAILED', async (_, message) => {
    const client = await follower();

    client.send(message);

    const { message: answer } = await client.next((m) => m.type === 'error');
    expect(answer).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    expect(answer.errors.length).toBeGreaterThan(0);
  });
});

describe('connections that end', () => {
  it('deletes the connection and its subscriptions on close ($disconnect)', async () => {
    const event = await createEvent({
      ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 10 }],
    });
    const client = await follower();
    await client.subscribe(event.id);
    const { Items } = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': liveKeys.followersPartition(event.id) },
        ConsistentRead: true,
      }),
    );
    const connectionId = Items?.[0]?.connectionId as string;
    expect(await stored(liveKeys.connection(connectionId))).toMatchObject({
      eventIds: new Set([event.id]),
    });

    await client.close();

    await eventually(
      async () =>
        (await stored(liveKeys.connection(connectionId))) === undefined &&
        (await stored(liveKeys.subscription(event.id, connectionId))) === undefined,
    );
  });

  it('drops a follower whose connection is gone at the next push (410)', async () => {
    const event = await createEvent({
      ticketTypes: [{ name: 'GA', priceCents: 2000, capacity: 10 }],
    });
    const ga = event.ticketTypes[0].id as string;
    const live = await follower();
    await live.subscribe(event.id);
    // A connection API Gateway has closed without $disconnect: items, but no socket.
    const gone = `gone-${event.id}=`;
    const { liveSubscriptions } = await import('../../shared/composition/live.js');
    await liveSubscriptions.connect(gone);
    await liveSubscriptions.subscribe(gone, event.id);

    await hold(buyers[1] as Actor, event.id, { items: [{ ticketTypeId: ga, quantity: 1 }] });
    await availabilityReaching(live, ga, 9, 0);

    await eventually(
      async () =>
        (await stored(liveKeys.connection(gone))) === undefined &&
        (await stored(liveKeys.subscription(event.id, gone))) === undefined,
    );
  });
});
