import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../shared/composition/dynamodb.js';
import { eventService } from '../../shared/composition/events.js';
import { GRAPHQL_LIMITS } from '../../shared/graphql/server.js';
import { createEvent, createPublishedEvent } from '../support/events-api.js';
import {
  type AuthenticatedContext,
  customerContext,
  organizerContext,
} from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import { holdOk, registeredCustomer } from '../support/orders-api.js';

/*
 * POST /graphql through its real handler, on DynamoDB Local: the same answers as REST for
 * the same scenario, the REST error codes, Idempotency-Key, the limits that refuse an
 * operation before any resolver runs, and nested events read in batches.
 */

afterEach(() => {
  vi.restoreAllMocks();
});

function graphql(
  query: string,
  options: {
    variables?: Record<string, unknown>;
    as?: AuthenticatedContext;
    headers?: Record<string, string>;
  } = {},
) {
  return invoke('POST', '/graphql', {
    body: { query, ...(options.variables && { variables: options.variables }) },
    ...(options.as && { as: options.as }),
    ...(options.headers && { headers: options.headers }),
  });
}

/** The data of an answer that must have no errors. */
async function dataOf(response: Promise<{ status: number; body: any }>) {
  const { status, body } = await response;
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

const EVENT_FIELDS = `id organizerId name description venue { name address city country latitude longitude }
  startsAt endsAt currency status maxTicketsPerOrder holdSeconds
  ticketTypes { id name priceCents capacity available } createdAt updatedAt`;
const ORDER_FIELDS = `id eventId eventName customer { userId email name }
  items { ticketTypeId quantity unitPriceCents seatIds } amountCents currency status
  expiresAt createdAt updatedAt paidAt cancelledAt`;

/** A GraphQL object with the nulls of absent optional fields dropped, as REST omits them. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, withoutNulls(field)]),
  );
}

describe('REST and GraphQL answer alike', () => {
  it('create, publish, hold, pay, list: the same event and orders either way', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    const ticketTypeId = event.ticketTypes[0].id;
    const customer = customerContext();

    const created = await dataOf(
      graphql(
        `mutation ($eventId: ID!, $items: [OrderItemInput!]) {
          createOrder(eventId: $eventId, items: $items) { ${ORDER_FIELDS} }
        }`,
        { variables: { eventId: event.id, items: [{ ticketTypeId, quantity: 2 }] }, as: customer },
      ),
    );
    const paid = await invoke('POST', `/v1/orders/${created.createOrder.id}/pay`, {
      as: customer,
      body: { paymentToken: 'tok_visa' },
    });
    expect(paid.status).toBe(200);
    const restEvent = await invoke('GET', `/v1/events/${event.id}`, { as: customer });
    const restOrders = await invoke('GET', `/v1/orders?eventId=${event.id}`, { as: organizer });
    const viaGraphQL = await dataOf(
      graphql(
        `query ($id: ID!) {
          event(id: $id) { ${EVENT_FIELDS} }
          orders(eventId: $id) { items { ${ORDER_FIELDS} } nextCursor }
        }`,
        { variables: { id: event.id }, as: organizer },
      ),
    );

    expect(withoutNulls(created.createOrder)).toMatchObject({
      status: 'HELD',
      amountCents: 2 * event.ticketTypes[0].priceCents,
    });
    expect(withoutNulls(viaGraphQL.event)).toEqual(restEvent.body);
    expect(withoutNulls(viaGraphQL.orders)).toEqual(withoutNulls(restOrders.body));
    expect(viaGraphQL.orders.items[0]).toMatchObject({
      id: created.createOrder.id,
      status: 'CONFIRMED',
    });
  });

  it('me and its orders are GET /v1/me and GET /v1/me/orders; anonymous me is null', async () => {
    const customer = await registeredCustomer();
    const event = await createPublishedEvent(organizerContext());
    await holdOk(customer, event.id, [{ ticketTypeId: event.ticketTypes[0].id, quantity: 1 }]);

    const data = await dataOf(
      graphql(
        `{ me { id email name roles emailVerified createdAt updatedAt orders(limit: 10) { items { ${ORDER_FIELDS} } nextCursor } } }`,
        { as: customer },
      ),
    );

    const { orders, ...me } = data.me;
    expect(withoutNulls(me)).toEqual((await invoke('GET', '/v1/me', { as: customer })).body);
    expect(withoutNulls(orders)).toEqual(
      withoutNulls((await invoke('GET', '/v1/me/orders?limit=10', { as: customer })).body),
    );
    expect(await dataOf(graphql('{ me { id } }'))).toEqual({ me: null });
  });

  it('orders filter by createdFrom/createdTo, as REST does', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    const order = await holdOk(customerContext(), event.id, [
      { ticketTypeId: event.ticketTypes[0].id, quantity: 1 },
    ]);
    const query = `query ($id: ID!, $from: DateTime, $to: DateTime) {
      orders(eventId: $id, createdFrom: $from, createdTo: $to) { items { id } }
    }`;
    const ids = async (from: string, to: string) =>
      (
        await dataOf(graphql(query, { variables: { id: event.id, from, to }, as: organizer }))
      ).orders.items.map(({ id }: { id: string }) => id);

    expect(await ids(order.createdAt, order.createdAt)).toEqual([order.id]);
    expect(await ids('2000-01-01T00:00:00Z', '2000-01-02T00:00:00Z')).toEqual([]);
    const rest = await invoke(
      'GET',
      `/v1/orders?eventId=${event.id}&createdFrom=${order.createdAt}&createdTo=${order.createdAt}`,
      { as: organizer },
    );
    expect(rest.body.items.map(({ id }: { id: string }) => id)).toEqual([order.id]);
  });
});

describe('errors carry the REST code', () => {
  it('UNAUTHENTICATED, SOLD_OUT, VALIDATION_FAILED with its path, FORBIDDEN; 404s are null', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 1 }],
    });
    const draft = await createEvent(organizer);
    const ticketTypeId = event.ticketTypes[0].id;
    const order = `mutation ($e: ID!, $t: ID!, $q: Int!) {
      createOrder(eventId: $e, items: [{ ticketTypeId: $t, quantity: $q }]) { id }
    }`;
    const codeOf = async (response: Promise<{ body: any }>) =>
      (await response).body.errors?.map((error: any) => error.extensions.code);

    expect(
      await codeOf(graphql(order, { variables: { e: event.id, t: ticketTypeId, q: 1 } })),
    ).toEqual(['UNAUTHENTICATED']);
    expect(
      await codeOf(
        graphql(order, {
          variables: { e: event.id, t: ticketTypeId, q: 2 },
          as: customerContext(),
        }),
      ),
    ).toEqual(['SOLD_OUT']);
    const invalid = await graphql(order, {
      variables: { e: event.id, t: ticketTypeId, q: 0 },
      as: customerContext(),
    });
    expect(invalid.body.errors[0].extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'args.items.0.quantity', message: expect.any(String) }],
    });
    expect(
      await codeOf(
        graphql(`{ orders(eventId: "${event.id}") { items { id } } }`, { as: customerContext() }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      await dataOf(graphql(`{ event(id: "${draft.id}") { id } }`, { as: customerContext() })),
    ).toEqual({
      event: null,
    });
    expect(
      await dataOf(graphql('{ order(id: "nope") { id } }', { as: customerContext() })),
    ).toEqual({
      order: null,
    });
    expect(await codeOf(graphql('{ nope }'))).toEqual(['VALIDATION_FAILED']);
  });

  it('an unexpected failure is INTERNAL, without its message or stack', async () => {
    vi.spyOn(eventService, 'list').mockRejectedValueOnce(new Error('secret connection string'));

    const response = await graphql('{ events { items { id } } }');

    expect(response.body.errors).toEqual([
      {
        message: 'Something went wrong on our side',
        path: ['events'],
        extensions: { code: 'INTERNAL' },
      },
    ]);
    expect(JSON.stringify(response.body)).not.toContain('secret');
  });
});

describe('createOrder honours Idempotency-Key', () => {
  it('the same key and body: the first order again; another body: IDEMPOTENCY_KEY_REUSED', async () => {
    const event = await createPublishedEvent(organizerContext());
    const customer = customerContext();
    const create = (quantity: number) =>
      graphql(
        `mutation ($e: ID!, $t: ID!, $q: Int!) {
          createOrder(eventId: $e, items: [{ ticketTypeId: $t, quantity: $q }]) { id }
        }`,
        {
          variables: { e: event.id, t: event.ticketTypes[0].id, q: quantity },
          as: customer,
          headers: { 'Idempotency-Key': `gql-${event.id}` },
        },
      );

    const first = await dataOf(create(1));
    const again = await dataOf(create(1));
    const other = await create(2);

    expect(again.createOrder.id).toBe(first.createOrder.id);
    expect(other.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const mine = await invoke('GET', '/v1/me/orders', { as: customer });
    expect(mine.body.items).toHaveLength(1);
  });
});

describe('limits, checked before any resolver runs', () => {
  it('QUERY_TOO_COMPLEX for depth, aliases, tokens and cost; nothing executes', async () => {
    const deepest = '{ me { orders { items { event { venue { name } } } } } }';
    const tooDeep =
      '{ events { items { id } } me { orders { items { event { seating { sections { rows { label } } } } } } } }';
    const aliases = `{ ${Array.from(
      { length: GRAPHQL_LIMITS.aliases + 1 },
      (_, index) => `a${index}: events { nextCursor }`,
    ).join(' ')} }`;
    // Short tokens, so the document stays within the request's size limit.
    const tokens = `{ ${'a '.repeat(GRAPHQL_LIMITS.tokens)}}`;
    // Within the depth and alias limits, but ten full pages of events: about 1,300.
    const everyField = `events { items { id organizerId name description
      venue { name address city country latitude longitude } startsAt endsAt currency status
      maxTicketsPerOrder holdSeconds ticketTypes { id name priceCents capacity available }
      seating { sections { name ticketType rows { label seats } } } createdAt updatedAt distanceKm } nextCursor }`;
    const costly = `{ ${Array.from({ length: 10 }, (_, index) => `p${index}: ${everyField}`).join(' ')} }`;

    expect((await graphql(deepest)).body.errors).toBeUndefined();
    expect((await graphql(`{ ${everyField} }`)).body.errors).toBeUndefined();
    const listed = vi.spyOn(eventService, 'list');
    for (const query of [tooDeep, aliases, tokens, costly]) {
      const response = await graphql(query);
      expect(response.status, query.slice(0, 60)).toBe(400);
      expect(response.body.errors).toEqual([
        { message: expect.any(String), extensions: { code: 'QUERY_TOO_COMPLEX' } },
      ]);
      expect(response.body.data).toBeUndefined();
    }
    expect(listed).not.toHaveBeenCalled();
  });

  it('one operation per request, of bounded size: a batch or an oversized document is 400', async () => {
    const batch = await invoke('POST', '/graphql', {
      rawBody: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(batch, 400, 'VALIDATION_FAILED');
    const huge = await graphql(`{ me { id } } ${'#'.repeat(20_001)}`);
    expectProblem(huge, 400, 'VALIDATION_FAILED');
    expect(huge.body.errors[0].path).toBe('body.query');
  });

  it('introspection is allowed', async () => {
    const data = await dataOf(graphql('{ __type(name: "Order") { fields { name } } }'));
    expect(data.__type.fields.map(({ name }: { name: string }) => name)).toContain('event');
  });
});

describe('nested events are read in batches', () => {
  it('a page of 100 orders with their events costs a few DynamoDB calls, not one per order', async () => {
    const customer = await registeredCustomer();
    const organizer = organizerContext();
    const events = await Promise.all(
      Array.from({ length: 20 }, () => createPublishedEvent(organizer)),
    );
    for (const event of events) {
      for (let order = 0; order < 5; order++) {
        await holdOk(customer, event.id, [{ ticketTypeId: event.ticketTypes[0].id, quantity: 1 }]);
      }
    }
    const calls: string[] = [];
    const counter = 'count-graphql-calls';
    documentClient.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: counter },
    );
    try {
      const data = await dataOf(
        graphql(
          '{ me { orders(limit: 100) { items { id event { name ticketTypes { available } } } } } }',
          {
            as: customer,
          },
        ),
      );
      expect(data.me.orders.items).toHaveLength(100);
      expect(new Set(data.me.orders.items.map((order: any) => order.event.name)).size).toBe(1);
      expect(data.me.orders.items.every((order: any) => order.event !== null)).toBe(true);
    } finally {
      documentClient.middlewareStack.remove(counter);
    }
    // The caller's rate-limit count, the profile, one Query of the orders, one BatchGetItem
    // for the 20 events.
    expect(calls.sort()).toEqual([
      'BatchGetItemCommand',
      'GetItemCommand',
      'QueryCommand',
      'UpdateItemCommand',
    ]);
  });
});
