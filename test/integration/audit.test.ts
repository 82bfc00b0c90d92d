import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as recordAudit } from '../../functions/audit-record.js';
import { handler as sweep } from '../../functions/sweep.js';
import type { RunningGateway } from '../../local/gateway.js';
import { AUDIT_RECORDER, startTableStream, type TableStream } from '../../local/table-stream.js';
import { eventBody } from '../support/events-fixtures.js';
import {
  type Actor,
  expectProblem,
  registerActor,
  registerAdmin,
  registerOrganizer,
  send,
  startTestGateway,
} from '../support/http-api.js';
import { readOrderItem, setExpiresAt } from '../support/orders-api.js';

/*
 * The audit trail on the local stack: real flows through the HTTP API (and the sweep
 * job), DynamoDB Local's stream read by the consumer the stack deploys, and the records
 * read back through GET /v1/admin/audit.
 */

let gateway: RunningGateway;
let stream: TableStream;
let admin: Actor;
let organizer: Actor;
let customer: Actor;
let otherCustomer: Actor;
let eventId: string;
/** Held, paid, then cancelled (so refunded); held then cancelled; held then swept. */
const orders = { refunded: '', cancelled: '', expired: '' };

const api = (method: string, path: string, as: Actor | undefined, body?: unknown) =>
  send(gateway.url, method, path, {
    ...(as && { token: as.token }),
    ...(body !== undefined && { body }),
  });

async function ok(method: string, path: string, as: Actor, body?: unknown, status = 200) {
  const response = await api(method, path, as, body);
  expect(response.status, response.text).toBe(status);
  return response.body;
}

/** Every record of a query, page by page (newest first), as the admin reads them. */
async function records(query: string, limit = 100): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await ok(
      'GET',
      `/v1/admin/audit?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      admin,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The records of a query once `count` are in (the stream is asynchronous), then no more. */
async function settled(query: string, count: number): Promise<any[]> {
  const deadline = Date.now() + 15_000;
  let found = await records(query);
  while (found.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    found = await records(query);
  }
  // A duplicate would arrive with its batch: give a late one the time to show.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return records(query);
}

const actions = (items: any[]) => items.map((item) => item.action);

beforeAll(async () => {
  gateway = await startTestGateway();
  stream = await startTableStream({
    endpoint: inject('dynamoDbEndpoint'),
    tableName: inject('tableName'),
    consumers: [AUDIT_RECORDER],
    log: () => undefined,
  });
  admin = await registerAdmin(gateway.url);
  [organizer, customer, otherCustomer] = await Promise.all([
    registerOrganizer(gateway.url, admin),
    registerActor(gateway.url, 'customer'),
    registerActor(gateway.url, 'customer'),
  ]);

  const event = await ok('POST', '/v1/events', organizer, eventBody(), 201);
  eventId = event.id;
  await ok('POST', `/v1/events/${eventId}/publish`, organizer);
  const hold = async () =>
    (
      await ok(
        'POST',
        `/v1/events/${eventId}/orders`,
        customer,
        { items: [{ ticketTypeId: event.ticketTypes[0].id, quantity: 1 }] },
        201,
      )
    ).id as string;

  orders.refunded = await hold();
  await ok('POST', `/v1/orders/${orders.refunded}/pay`, customer, { paymentToken: 'tok_visa' });
  await ok('POST', `/v1/orders/${orders.refunded}/cancel`, customer);
  orders.cancelled = await hold();
  await ok('POST', `/v1/orders/${orders.cancelled}/cancel`, customer);
  orders.expired = await hold();
  await setExpiresAt(orders.expired, new Date(Date.now() - 60_000).toISOString());
  await sweep({});
  expect((await readOrderItem(orders.expired))?.status).toBe('EXPIRED');
  await ok('DELETE', `/v1/users/${customer.id}`, admin, undefined, 204);
});

afterAll(async () => {
  await stream?.stop();
  await gateway?.close();
});

describe('each change is recorded once, with its actor and what it changed', () => {
  it('an event: created, then published, by its organizer', async () => {
    const history = await settled(`entityId=${eventId}`, 2);

    expect(actions(history)).toEqual(['event.published', 'event.created']);
    for (const record of history) {
      expect(record).toMatchObject({ actor: { userId: organizer.id }, entityType: 'event' });
    }
    expect(history[0].changes).toEqual({ status: ['DRAFT', 'PUBLISHED'] });
  });

  it('an order held, paid and cancelled: each step by its customer', async () => {
    const history = await settled(`entityId=${orders.refunded}`, 5);

    expect(actions(history)).toEqual([
      'order.refunded',
      'order.refund_started',
      'order.confirmed',
      'order.payment_started',
      'order.held',
    ]);
    for (const record of history) expect(record.actor).toEqual({ userId: customer.id });
    expect(history[2].changes.status).toEqual(['PAYING', 'CONFIRMED']);
    expect(history[2].changes.paidAt).toEqual([null, expect.any(String)]);
    const times = history.map((record) => record.at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('a hold cancelled by its customer, and one expired by the sweep', async () => {
    const cancelled = await settled(`entityId=${orders.cancelled}`, 2);
    const expired = await settled(`entityId=${orders.expired}`, 3);

    expect(actions(cancelled)).toEqual(['order.cancelled', 'order.held']);
    // Between them, this test moved the expiry by hand: recorded, but unattributed, and
    // timed by the stream to the second (so it may sort just before the hold's record).
    expect(actions(expired)[0]).toBe('order.expired');
    expect(actions(expired).slice(1).sort()).toEqual(['order.held', 'order.updated']);
    expect(expired.find((record) => record.action === 'order.updated')).toMatchObject({
      actor: { system: 'unattributed' },
      changes: { expiresAt: [expect.any(String), expect.any(String)] },
    });
    expect(expired[0]).toMatchObject({
      actor: { system: 'sweep' },
      changes: { status: ['HELD', 'EXPIRED'] },
    });
  });

  it("users: the organizer's role granted by the admin, the customer deleted by the admin", async () => {
    const organizerHistory = await settled(`entityId=${organizer.id}`, 2);
    const customerHistory = await settled(`entityId=${customer.id}`, 2);

    expect(actions(organizerHistory)).toEqual(['user.roles_changed', 'user.registered']);
    expect(organizerHistory[0]).toMatchObject({
      actor: { userId: admin.id },
      changes: { roles: [['customer'], ['customer', 'organizer']] },
    });
    expect(organizerHistory[1].actor).toEqual({ userId: organizer.id });
    expect(actions(customerHistory)).toEqual(['user.deleted', 'user.registered']);
    expect(customerHistory[0].actor).toEqual({ userId: admin.id });
  });
});

describe('GET /v1/admin/audit', () => {
  it('pages newest first: the pages together are the whole history, in order', async () => {
    const whole = await settled(`entityId=${orders.refunded}`, 5);

    const paged = await records(`entityId=${orders.refunded}`, 2);

    expect(paged.map((record) => record.id)).toEqual(whole.map((record) => record.id));
  });

  it("finds a user's changes by actorId, narrowed by entityType or entityId", async () => {
    await settled(`entityId=${orders.expired}`, 3);
    const byCustomer = await records(`actorId=${customer.id}`);
    const ordersOnly = await records(`actorId=${customer.id}&entityType=order`);
    const oneOrder = await records(`actorId=${customer.id}&entityId=${orders.expired}`);

    // 5 + 2 + 1 order changes (the expiry was the sweep's), and the sign-up.
    expect(byCustomer).toHaveLength(9);
    expect(byCustomer.every((record) => record.actor.userId === customer.id)).toBe(true);
    expect(ordersOnly).toHaveLength(8);
    expect(actions(oneOrder)).toEqual(['order.held']);
  });

  it('is for admins only, and needs entityId or actorId', async () => {
    const path = `/v1/admin/audit?entityId=${eventId}`;
    expectProblem(await api('GET', path, otherCustomer), 403, 'FORBIDDEN');
    expectProblem(await api('GET', path, organizer), 403, 'FORBIDDEN');
    expectProblem(await api('GET', path, undefined), 401, 'UNAUTHENTICATED');
    const unfiltered = await api('GET', '/v1/admin/audit?entityType=order', admin);
    expectProblem(unfiltered, 400, 'VALIDATION_FAILED');
    expect(unfiltered.body.errors).toEqual([
      { path: 'query.entityId', message: 'give entityId or actorId' },
    ]);
  });
});

describe('a redelivered batch', () => {
  it('a batch delivered again records nothing twice; a new stream record would', async () => {
    const [held] = (await settled(`entityId=${orders.cancelled}`, 2)).slice(-1);
    const item = await readOrderItem(orders.cancelled);
    const redelivered = (eventID: string): DynamoDBRecord => ({
      eventID,
      eventName: 'INSERT',
      dynamodb: {
        Keys: marshall({ pk: item?.pk, sk: item?.sk }) as never,
        NewImage: marshall(item, { removeUndefinedValues: true }) as never,
        SequenceNumber: '1',
      },
    });
    const context = { getRemainingTimeInMillis: () => 30_000 } as Context;

    await recordAudit({ Records: [redelivered(held.id)] }, context);
    expect(await records(`entityId=${orders.cancelled}`)).toHaveLength(2);

    // Control: the same image under a stream record id not seen before is recorded.
    await recordAudit({ Records: [redelivered(`control-${held.id}`)] }, context);
    expect(await records(`entityId=${orders.cancelled}`)).toHaveLength(3);
  });
});
