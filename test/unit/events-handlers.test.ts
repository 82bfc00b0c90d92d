import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { customerContext, eventBody, organizerContext } from '../support/events-fixtures.js';
import { readable, readableUpdate } from '../support/expressions.js';
import { expectProblem, invoke } from '../support/invoke.js';
import { storedEventItems, transactionCanceled } from '../support/orders-fixtures.js';

// Mocks every DocumentClient instance, including the one shared/clients builds at import.
const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddb.reset();
});

const TABLE = 'unit-test-table';

describe('POST /v1/events (create-event handler)', () => {
  it('answers malformed JSON with 400 VALIDATION_FAILED and touches no table', async () => {
    const response = await invoke('POST', '/v1/events', {
      rawBody: '{"name": "Broken",',
      as: organizerContext(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('answers a missing body with 400 VALIDATION_FAILED', async () => {
    const response = await invoke('POST', '/v1/events', { as: organizerContext() });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('answers a JSON body that is not an object with 400', async () => {
    for (const rawBody of ['null', '[]', '"event"', '42']) {
      const response = await invoke('POST', '/v1/events', { rawBody, as: organizerContext() });

      expectProblem(response, 400, 'VALIDATION_FAILED');
    }
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('answers a prototype-pollution body with 400, not 500', async () => {
    const response = await invoke('POST', '/v1/events', {
      rawBody: '{"__proto__": {"admin": true}, "name": "x"}',
      as: organizerContext(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
  });

  it('rejects an unknown field with 400 and an errors[] entry that names it', async () => {
    const response = await invoke('POST', '/v1/events', {
      body: eventBody({ status: 'PUBLISHED' }),
      as: organizerContext(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: expect.stringMatching(/^body/), message: expect.stringContaining('status') },
      ]),
    );
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('points errors[].path at the offending nested field', async () => {
    const response = await invoke('POST', '/v1/events', {
      body: eventBody({ ticketTypes: [{ name: 'GA', priceCents: 100, capacity: 0 }] }),
      as: organizerContext(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      { path: 'body.ticketTypes.0.capacity', message: expect.any(String) },
    ]);
  });

  it('rejects duplicate ticket type names (case-insensitive) before writing', async () => {
    const response = await invoke('POST', '/v1/events', {
      body: eventBody({
        ticketTypes: [
          { name: 'VIP', priceCents: 100, capacity: 1 },
          { name: 'vip', priceCents: 200, capacity: 1 },
        ],
      }),
      as: organizerContext(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      { path: 'ticketTypes.1.name', message: expect.stringContaining('vip') },
    ]);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('rejects endsAt before startsAt before writing', async () => {
    const response = await invoke('POST', '/v1/events', {
      body: eventBody({ startsAt: '2030-06-01T20:00:00Z', endsAt: '2030-06-01T19:00:00Z' }),
      as: organizerContext(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it.each([
    ['a minute ago', () => new Date(Date.now() - 60_000).toISOString()],
    ['in year 0000', () => '0000-01-01T00:00:00Z'],
  ])(
    'refuses a startsAt %s with 400 at body.startsAt and touches no table',
    async (_, startsAt) => {
      const response = await invoke('POST', '/v1/events', {
        body: eventBody({ startsAt: startsAt() }),
        as: organizerContext(),
      });

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        { path: 'body.startsAt', message: 'must be in the future' },
      ]);
      expect(ddb).not.toHaveReceivedAnyCommand();
    },
  );

  it('writes META and INVENTORY in one transaction, each conditioned on attribute_not_exists(pk)', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    const organizer = organizerContext();

    // Act
    const response = await invoke('POST', '/v1/events', { body: eventBody(), as: organizer });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    const id: string = response.body.id;
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: expect.objectContaining({
            TableName: TABLE,
            Item: expect.objectContaining({
              pk: `EVENT#${id}`,
              sk: 'META',
              organizerId: organizer.userId,
              status: 'DRAFT',
              gsi1pk: 'STATUS#DRAFT',
              gsi2pk: `ORGANIZER#${organizer.userId}`,
            }),
          }),
        },
        {
          Put: expect.objectContaining({
            TableName: TABLE,
            Item: expect.objectContaining({
              pk: `EVENT#${id}`,
              sk: 'INVENTORY',
              orderCount: 0,
              ticketTypes: {
                [response.body.ticketTypes[0].id]: expect.objectContaining({
                  capacity: 100,
                  available: 100,
                  held: 0,
                  sold: 0,
                }),
              },
            }),
          }),
        },
      ],
    });
    const puts = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    for (const { Put: put } of puts) {
      expect(readable(put?.ConditionExpression, put ?? {})).toBe('attribute_not_exists(pk)');
    }
  });

  it('returns the created draft with defaults, server ids and available = capacity', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const organizer = organizerContext();

    const response = await invoke('POST', '/v1/events', { body: eventBody(), as: organizer });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      organizerId: organizer.userId,
      status: 'DRAFT',
      currency: 'USD',
      maxTicketsPerOrder: 10,
      holdSeconds: 600,
      ticketTypes: [
        { id: expect.any(String), name: 'GA', priceCents: 5000, capacity: 100, available: 100 },
      ],
    });
    expect(response.body).not.toHaveProperty('version');
    expect(response.body).not.toHaveProperty('orderCount');
  });

  it('turns an unexpected SDK error into 500 INTERNAL without leaking the message or a stack', async () => {
    // Prepare
    const secret = 'connect ECONNREFUSED 10.1.2.3:443 arn:aws:dynamodb:eu-west-1:123456789012';
    ddb.on(TransactWriteCommand).rejects(new Error(secret));

    // Act
    const response = await invoke('POST', '/v1/events', {
      body: eventBody(),
      as: organizerContext(),
    });

    // Assess
    expectProblem(response, 500, 'INTERNAL');
    expect(Object.keys(response.body).sort()).toEqual([
      'code',
      'detail',
      'status',
      'title',
      'type',
    ]);
    const raw = JSON.stringify(response.body);
    expect(raw).not.toContain('ECONNREFUSED');
    expect(raw).not.toContain('arn:aws');
    expect(raw).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(raw).not.toContain('stack');
  });

  it('forbids a customer (no organizer role) to create an event', async () => {
    ddb.on(TransactWriteCommand).resolves({});

    const response = await invoke('POST', '/v1/events', {
      body: eventBody(),
      as: customerContext(),
    });

    expectProblem(response, 403, 'FORBIDDEN');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});

describe('GET /v1/events/{eventId} (get-event handler)', () => {
  it('reads exactly its META and INVENTORY items, strongly consistent', async () => {
    const { id, meta, inventory } = storedEventItems({
      ticketType: { capacity: 100, available: 90, held: 4, sold: 6 },
    });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [inventory, meta] } });

    const response = await invoke('GET', `/v1/events/${id}`, { as: customerContext() });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id,
      status: 'PUBLISHED',
      ticketTypes: [{ id: 'tt-ga', capacity: 100, available: 90 }],
    });
    expect(response.body.ticketTypes[0]).not.toHaveProperty('held');
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        [TABLE]: {
          Keys: [
            { pk: `EVENT#${id}`, sk: 'META' },
            { pk: `EVENT#${id}`, sk: 'INVENTORY' },
          ],
          ConsistentRead: true,
        },
      },
    });
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });

  it('answers 404 NOT_FOUND problem for an unknown id', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });

    const response = await invoke('GET', '/v1/events/does-not-exist', { as: customerContext() });

    expectProblem(response, 404, 'NOT_FOUND');
  });

  it('hides a draft from a customer as 404', async () => {
    const { id, meta, inventory } = storedEventItems({ status: 'DRAFT' });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });

    const response = await invoke('GET', `/v1/events/${id}`, { as: customerContext() });

    expectProblem(response, 404, 'NOT_FOUND');
  });

  it('treats a half-written event (META without INVENTORY) as not found', async () => {
    const { id, meta } = storedEventItems();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta] } });

    const response = await invoke('GET', `/v1/events/${id}`, { as: customerContext() });

    expectProblem(response, 404, 'NOT_FOUND');
  });
});

describe('PATCH /v1/events/{eventId} (update-event handler)', () => {
  it('cuts capacity by delta, conditioned on the version and on enough tickets still available', async () => {
    // Prepare: 100 seats, 10 held
    const { id, meta, inventory } = storedEventItems({
      organizerId: 'org-owner',
      version: 3,
      ticketType: { capacity: 100, available: 90, held: 10, sold: 0 },
    });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const response = await invoke('PATCH', `/v1/events/${id}`, {
      body: { ticketTypes: [{ id: 'tt-ga', capacity: 60 }] },
      as: organizerContext('org-owner'),
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.ticketTypes[0]).toMatchObject({ capacity: 60, available: 50 });
    const input = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    const [put, update] = input?.TransactItems ?? [];
    expect(put?.Put).toMatchObject({ Item: expect.objectContaining({ version: 4 }) });
    expect(readable(put?.Put?.ConditionExpression, put?.Put ?? {})).toBe('version = 3');
    expect(update?.Update?.Key).toEqual({ pk: `EVENT#${id}`, sk: 'INVENTORY' });
    // The available counter moves by delta (never overwritten) and only if 40 are still unsold;
    // the name and price, unchanged, are not written.
    const written = readableUpdate(update?.Update);
    expect(written.update).toMatch(/(SET |,)ticketTypes\.tt-ga\.capacity=60(,| )/);
    expect(written.update).toMatch(/(ADD |,)ticketTypes\.tt-ga\.available -40(,|$| )/);
    expect(written.update).not.toMatch(/ticketTypes\.tt-ga\.(name|priceCents)/);
    expect(written.condition).toBe('attribute_exists(pk) AND ticketTypes.tt-ga.available >= 40');
  });

  it('aliases DynamoDB reserved words (capacity, name, status) in the inventory update', async () => {
    const { id, meta, inventory } = storedEventItems({ organizerId: 'org-owner' });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });
    ddb.on(TransactWriteCommand).resolves({});

    await invoke('PATCH', `/v1/events/${id}`, {
      body: { ticketTypes: [{ id: 'tt-ga', name: 'General', capacity: 120 }] },
      as: organizerContext('org-owner'),
    });

    const update =
      ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Update;
    const expressions = `${update?.UpdateExpression} ${update?.ConditionExpression}`;
    // A reserved word used as a bare path element makes DynamoDB reject the whole write.
    expect(expressions).not.toMatch(/(^|[\s.,(=])(capacity|name|status)\b/i);
  });

  it('answers 409 CAPACITY_BELOW_SOLD without writing when capacity < held + sold', async () => {
    const { id, meta, inventory } = storedEventItems({
      ticketType: { capacity: 100, available: 70, held: 10, sold: 20 },
    });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });

    const response = await invoke('PATCH', `/v1/events/${id}`, {
      body: { ticketTypes: [{ id: 'tt-ga', capacity: 29 }] },
      as: organizerContext('org-owner'),
    });

    expectProblem(response, 409, 'CAPACITY_BELOW_SOLD');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('re-reads and retries a lost race, then gives up with 409 CONCURRENT_MODIFICATION', async () => {
    const { id, meta, inventory } = storedEventItems();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });
    ddb.on(TransactWriteCommand).rejects(transactionCanceled('ConditionalCheckFailed', 'None'));

    const response = await invoke('PATCH', `/v1/events/${id}`, {
      body: { name: 'Renamed' },
      as: organizerContext('org-owner'),
    });

    expectProblem(response, 409, 'CONCURRENT_MODIFICATION');
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 5);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 5);
  });

  it('succeeds on the retry after one lost race', async () => {
    const { id, meta, inventory } = storedEventItems();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(transactionCanceled('None', 'TransactionConflict'))
      .resolves({});

    const response = await invoke('PATCH', `/v1/events/${id}`, {
      body: { name: 'Renamed' },
      as: organizerContext('org-owner'),
    });

    expect(response.status).toBe(200);
    expect(response.body.name).toBe('Renamed');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it.each([
    ['a DRAFT', 'DRAFT'],
    ['a PUBLISHED', 'PUBLISHED'],
  ] as const)(
    'refuses moving %s event to start in the past, without writing',
    async (_, status) => {
      const { id, meta, inventory } = storedEventItems({ status });
      ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });
      ddb.on(TransactWriteCommand).resolves({});

      const response = await invoke('PATCH', `/v1/events/${id}`, {
        body: { startsAt: '2020-01-01T19:30:00Z' },
        as: organizerContext('org-owner'),
      });

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        { path: 'body.startsAt', message: 'must be in the future' },
      ]);
      expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    },
  );

  it('answers an empty PATCH body with 400', async () => {
    const response = await invoke('PATCH', '/v1/events/any', {
      body: {},
      as: organizerContext(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});

describe('DELETE /v1/events/{eventId} (delete-event handler)', () => {
  it('maps a failed orderCount condition to 409 EVENT_HAS_ORDERS', async () => {
    const { id, meta, inventory } = storedEventItems({ orderCount: 2 });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });
    ddb.on(TransactWriteCommand).rejects(transactionCanceled('None', 'ConditionalCheckFailed'));

    const response = await invoke('DELETE', `/v1/events/${id}`, {
      as: organizerContext('org-owner'),
    });

    expectProblem(response, 409, 'EVENT_HAS_ORDERS');
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        { Delete: expect.objectContaining({ Key: { pk: `EVENT#${id}`, sk: 'META' } }) },
        { Delete: expect.objectContaining({ Key: { pk: `EVENT#${id}`, sk: 'INVENTORY' } }) },
        // The deletion marker names the organizer for the audit trail.
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({
              pk: `DELETED#EVENT#${id}#META`,
              sk: 'DELETION',
              actor: { userId: 'org-owner' },
            }),
          }),
        },
      ],
    });
    const [, inventoryDelete] =
      ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(
      readable(inventoryDelete?.Delete?.ConditionExpression, inventoryDelete?.Delete ?? {}),
    ).toBe('orderCount = 0');
  });

  it('answers 204 with no body when the delete applies', async () => {
    const { id, meta, inventory } = storedEventItems();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meta, inventory] } });
    ddb.on(TransactWriteCommand).resolves({});

    const response = await invoke('DELETE', `/v1/events/${id}`, {
      as: organizerContext('org-owner'),
    });

    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
  });
});

describe('GET /v1/events (list-events handler)', () => {
  it('queries the byStatus index for PUBLISHED and joins the inventories', async () => {
    const first = storedEventItems();
    const second = storedEventItems();
    ddb.on(QueryCommand).resolves({ Items: [first.meta, second.meta] });
    ddb.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [second.inventory, first.inventory] },
    });

    const response = await invoke('GET', '/v1/events?limit=5', { as: customerContext() });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      items: [
        expect.objectContaining({ id: first.id }),
        expect.objectContaining({ id: second.id }),
      ],
      nextCursor: null,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':pk': 'STATUS#PUBLISHED' },
      Limit: 5,
    });
  });

  it.each([
    ['limit=101'],
    ['limit=0'],
    ['from=2030-02-01T00:00:00Z&to=2030-01-01T00:00:00Z'],
    ['cursor=not-a-cursor'],
    ['unknown=1'],
  ])('answers ?%s with 400 VALIDATION_FAILED and sends no Query', async (search) => {
    const response = await invoke('GET', `/v1/events?${search}`, { as: customerContext() });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });

  it('answers a customer asking for drafts with 403 FORBIDDEN and sends no Query', async () => {
    const response = await invoke('GET', '/v1/events?status=DRAFT', { as: customerContext() });

    expectProblem(response, 403, 'FORBIDDEN');
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });
});
