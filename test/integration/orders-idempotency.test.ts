import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ENV, requireEnv } from '../../shared/env.js';
import {
  createPublishedEvent,
  documentClient,
  readInventory,
  readTicketType,
} from '../support/events-api.js';
import { customerContext, organizerContext, uniqueToken } from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import { hold, holdOk, readEventOrders } from '../support/orders-api.js';

/*
 * Idempotency-Key on POST /v1/events/{eventId}/orders: per caller, the same key and body
 * replay the first response; another body is 422; a request still in flight is 409.
 */

async function onSale(capacity = 20) {
  const organizer = organizerContext();
  const event = await createPublishedEvent(organizer, {
    ticketTypes: [
      { name: 'GA', priceCents: 1000, capacity },
      { name: 'VIP', priceCents: 5000, capacity },
    ],
  });
  return { organizer, event, ga: event.ticketTypes[0].id, vip: event.ticketTypes[1].id };
}

const key = () => ({ 'Idempotency-Key': uniqueToken('idem-') });

/** Records in the idempotency table; only this file's tests, run one by one, write any. */
async function idempotencyRecords(): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: requireEnv(ENV.idempotencyTableName),
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

describe('Idempotency-Key on holds', () => {
  it('replays the first response for the same key and body, taking the stock once', async () => {
    // Prepare
    const { event, ga } = await onSale();
    const customer = customerContext();
    const headers = key();
    const items = [{ ticketTypeId: ga, quantity: 2 }];

    // Act: three sequential sends, as a client retrying after timeouts would
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await hold(customer, event.id, items, headers));

    // Assess
    for (const response of responses) {
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body).toEqual(responses[0]?.body);
    }
    const inventory = await readInventory(event.id);
    expect(inventory.orderCount).toBe(1);
    expect(inventory.ticketTypes[ga]).toMatchObject({ available: 18, held: 2 });
    const stored = await readEventOrders(event.id);
    expect(stored.map((order) => order.id)).toEqual([responses[0]?.body.id]);
  });

  it('lets exactly one of several concurrent requests with one key create the order', async () => {
    // Prepare
    const { event, ga } = await onSale();
    const customer = customerContext();
    const headers = key();
    const items = [{ ticketTypeId: ga, quantity: 1 }];

    // Act
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => hold(customer, event.id, items, headers)),
    );

    // Assess: one order; every answer is that order or "still in progress"
    const stored = await readEventOrders(event.id);
    expect(stored).toHaveLength(1);
    const orderId = stored[0]?.id;
    for (const response of responses) {
      if (response.status === 201) expect(response.body.id).toBe(orderId);
      else expectProblem(response, 409, 'IDEMPOTENCY_IN_PROGRESS');
    }
    expect(responses.some((r) => r.status === 201)).toBe(true);
    const inventory = await readInventory(event.id);
    expect(inventory.orderCount).toBe(1);
    expect(inventory.ticketTypes[ga]).toMatchObject({ available: 19, held: 1 });

    // Once settled, the key replays the order.
    const later = await hold(customer, event.id, items, headers);
    expect(later.status).toBe(201);
    expect(later.body.id).toBe(orderId);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body or event', async () => {
    // Prepare
    const { event, ga, vip } = await onSale();
    const other = await onSale();
    const customer = customerContext();
    const headers = key();
    const first = await hold(customer, event.id, [{ ticketTypeId: ga, quantity: 1 }], headers);
    expect(first.status).toBe(201);
    const before = await readInventory(event.id);
    const otherBefore = await readInventory(other.event.id);

    // Act
    const responses = [
      await hold(customer, event.id, [{ ticketTypeId: ga, quantity: 2 }], headers),
      await hold(customer, event.id, [{ ticketTypeId: vip, quantity: 1 }], headers),
      await hold(customer, other.event.id, [{ ticketTypeId: other.ga, quantity: 1 }], headers),
    ];

    // Assess
    for (const response of responses) expectProblem(response, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await readInventory(event.id)).toEqual(before);
    expect(await readInventory(other.event.id)).toEqual(otherBefore);
    // The original request still replays.
    const replay = await hold(customer, event.id, [{ ticketTypeId: ga, quantity: 1 }], headers);
    expect(replay.body.id).toBe(first.body.id);
  });

  it('scopes keys to the caller: the same key from two customers makes two orders', async () => {
    const { event, ga } = await onSale();
    const headers = key();
    const items = [{ ticketTypeId: ga, quantity: 1 }];

    const a = await hold(customerContext(), event.id, items, headers);
    const b = await hold(customerContext(), event.id, items, headers);

    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
    expect(b.body.customer.userId).not.toBe(a.body.customer.userId);
    expect(await readTicketType(event.id, ga)).toMatchObject({ available: 18, held: 2 });
  });

  it('does not remember a refusal: after SOLD_OUT the same key may succeed once stock is back', async () => {
    // Prepare: one ticket, held by someone else
    const { event, ga } = await onSale(1);
    const first = customerContext();
    const blocker = await holdOk(first, event.id, [{ ticketTypeId: ga, quantity: 1 }]);
    const customer = customerContext();
    const headers = key();
    const items = [{ ticketTypeId: ga, quantity: 1 }];

    // Act
    const refused = await hold(customer, event.id, items, headers);
    await invoke('POST', `/v1/orders/${blocker.id}/cancel`, { as: first });
    const retried = await hold(customer, event.id, items, headers);

    // Assess
    expectProblem(refused, 409, 'SOLD_OUT');
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(await readTicketType(event.id, ga)).toMatchObject({ available: 0, held: 1 });
    expect((await hold(customer, event.id, items, headers)).body.id).toBe(retried.body.id);
  });

  it('refuses a key over 255 characters with 400, writing no record and holding nothing', async () => {
    // Prepare
    const { event, ga } = await onSale();
    const customer = customerContext();
    const items = [{ ticketTypeId: ga, quantity: 1 }];
    const before = await readInventory(event.id);
    const records = await idempotencyRecords();

    // Act
    const response = await hold(customer, event.id, items, { 'Idempotency-Key': 'k'.repeat(256) });

    // Assess
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      { path: 'headers.idempotency-key', message: expect.any(String) },
    ]);
    expect(await readInventory(event.id)).toEqual(before);
    expect(await readEventOrders(event.id)).toEqual([]);
    expect(await idempotencyRecords()).toBe(records);
  });

  it('CONTROL: a key of exactly 255 visible ASCII characters works and replays', async () => {
    const { event, ga } = await onSale();
    const customer = customerContext();
    const items = [{ ticketTypeId: ga, quantity: 1 }];
    const headers = { 'Idempotency-Key': `${uniqueToken('~!')}${'k'.repeat(255)}`.slice(0, 255) };
    const records = await idempotencyRecords();

    const first = await hold(customer, event.id, items, headers);
    const again = await hold(customer, event.id, items, headers);

    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await idempotencyRecords()).toBe(records + 1);
  });

  it('CONTROL: without a key, six concurrent identical requests make six orders', async () => {
    const { event, ga } = await onSale();
    const customer = customerContext();
    const items = [{ ticketTypeId: ga, quantity: 1 }];

    const responses = await Promise.all(
      Array.from({ length: 6 }, () => hold(customer, event.id, items)),
    );

    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(6);
    expect(await readEventOrders(event.id)).toHaveLength(6);
    expect(await readTicketType(event.id, ga)).toMatchObject({ held: 6 });
  });
});
