import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../local/gateway.js';
import { documentedResponses } from '../../shared/api/openapi.js';
import type { RouteDefinition } from '../../shared/api/route-record.js';
import { type RouteId, routes } from '../../shared/routes.js';
import { eventBody } from '../support/events-fixtures.js';
import {
  type Actor,
  type HttpResponse,
  registerActor,
  registerAdmin,
  registerOrganizer,
  send,
  startTestGateway,
  uniqueEmail,
} from '../support/http-api.js';
import { jsonSchemaValidator } from '../support/openapi.js';

/*
 * Real responses of the main flows, through the local gateway and the real handlers,
 * against what GET /openapi.json promises: the status is documented for the route, the
 * content type is the documented one, the body passes both the zod schema the
 * document was generated from and the JSON Schema a client reads from the document, and
 * so does each response header the document names.
 */

function routeOf(id: RouteId): RouteDefinition {
  const route = routes.find((candidate) => candidate.id === id);
  if (!route) throw new Error(`no route ${id}`);
  return route;
}

/** What is wrong with this response, by the document; empty when it keeps the contract. */
function breaches(document: any, id: RouteId, response: HttpResponse): string[] {
  const route = routeOf(id);
  const documented = documentedResponses(route).get(response.status);
  if (!documented) return [`${id} does not document ${response.status}: ${response.text}`];
  if (!documented.content) return response.text === '' ? [] : [`${id}: unexpected body`];
  const type = documented.content.type;
  const problems: string[] = [];
  if (response.headers.get('content-type') !== type) {
    problems.push(`${id}: content-type ${response.headers.get('content-type')}, not ${type}`);
  }
  const parsed = documented.content.schema.safeParse(response.body);
  for (const issue of parsed.error?.issues ?? []) {
    problems.push(`${id} ${response.status} ${issue.path.join('.')}: ${issue.message}`);
  }
  const servedResponse =
    document.paths[route.path][route.method.toLowerCase()].responses[response.status];
  const served = servedResponse.content[type];
  if (!jsonSchemaValidator(document, served.schema).safeParse(response.body).success) {
    problems.push(`${id} ${response.status}: fails the JSON Schema of /openapi.json`);
  }
  for (const [name, header] of Object.entries<any>(servedResponse.headers ?? {})) {
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`${id} ${response.status}: no ${name} header`);
    } else if (!jsonSchemaValidator(document, header.schema).safeParse(value).success) {
      problems.push(`${id} ${response.status}: ${name} ${value} fails its JSON Schema`);
    }
  }
  return problems;
}

describe('real responses keep the OpenAPI contract', () => {
  let gateway: RunningGateway;
  let document: any;
  let admin: Actor;
  let organizer: Actor;
  let customer: Actor;

  const expectKept = (id: RouteId, response: HttpResponse) =>
    expect(breaches(document, id, response)).toEqual([]);

  beforeAll(async () => {
    gateway = await startTestGateway();
    const served = await send(gateway.url, 'GET', '/openapi.json');
    expect(served.status, served.text).toBe(200);
    document = served.body;
    admin = await registerAdmin(gateway.url);
    [organizer, customer] = await Promise.all([
      registerOrganizer(gateway.url, admin),
      registerActor(gateway.url, 'customer'),
    ]);
  });
  afterAll(() => gateway?.close());

  it('health, readiness, the document itself, sign-up, verification and sign-in', async () => {
    expectKept('Health', await send(gateway.url, 'GET', '/health'));
    expectKept('HealthReady', await send(gateway.url, 'GET', '/health/ready'));
    expectKept('OpenApi', await send(gateway.url, 'GET', '/openapi.json'));
    const credentials = { email: uniqueEmail('contract'), password: 'a-long-password' };
    const registered = await send(gateway.url, 'POST', '/v1/auth/register', {
      body: { ...credentials, name: 'Contract' },
    });
    expectKept('Register', registered);
    const email = { email: credentials.email };
    expectKept(
      'ResendVerification',
      await send(gateway.url, 'POST', '/v1/auth/verify-email/resend', { body: email }),
    );
    expectKept(
      'VerifyEmail',
      await send(gateway.url, 'POST', '/v1/auth/verify-email', {
        body: { ...email, code: '000000' },
      }),
    );
    expectKept('Login', await send(gateway.url, 'POST', '/v1/auth/login', { body: credentials }));
    expectKept('GetMe', await send(gateway.url, 'GET', '/v1/me', { token: customer.token }));
  });

  it('create, publish, get and list an event; hold, get, pay and cancel an order', async () => {
    const token = organizer.token;
    const created = await send(gateway.url, 'POST', '/v1/events', { token, body: eventBody() });
    expectKept('CreateEvent', created);
    const eventId: string = created.body.id;
    const ticketTypeId: string = created.body.ticketTypes[0].id;
    expectKept(
      'PublishEvent',
      await send(gateway.url, 'POST', `/v1/events/${eventId}/publish`, { token }),
    );
    expectKept('GetEvent', await send(gateway.url, 'GET', `/v1/events/${eventId}`));
    expectKept('ListEvents', await send(gateway.url, 'GET', '/v1/events?limit=2'));

    const held = await send(gateway.url, 'POST', `/v1/events/${eventId}/orders`, {
      token: customer.token,
      body: { items: [{ ticketTypeId, quantity: 2 }] },
    });
    expectKept('HoldTickets', held);
    const orderId: string = held.body.id;
    expectKept(
      'GetOrder',
      await send(gateway.url, 'GET', `/v1/orders/${orderId}`, { token: customer.token }),
    );
    const paid = await send(gateway.url, 'POST', `/v1/orders/${orderId}/pay`, {
      token: customer.token,
      body: { paymentToken: 'tok_visa' },
    });
    expectKept('PayOrder', paid);
    expect(paid.body.paidAt).toEqual(expect.any(String));
    expectKept(
      'ListOrders',
      await send(gateway.url, 'GET', `/v1/orders?eventId=${eventId}`, { token }),
    );
    const refunded = await send(gateway.url, 'POST', `/v1/orders/${orderId}/cancel`, {
      token: customer.token,
    });
    expectKept('CancelOrder', refunded);
    expect(refunded.body.status).toBe('REFUNDED');
    expectKept(
      'ListMyOrders',
      await send(gateway.url, 'GET', '/v1/me/orders', { token: customer.token }),
    );
  });

  it('the audit trail: a page of records, and a query without a filter', async () => {
    // A record as the stream consumer writes it (that consumer runs in audit.test.ts).
    const { auditTrail } = await import('../../shared/composition/audit.js');
    const entityId = uniqueEmail('audited');
    await auditTrail.record({
      id: entityId,
      at: new Date().toISOString(),
      actor: { userId: customer.id },
      action: 'order.confirmed',
      entityType: 'order',
      entityId,
      changes: { status: ['PAYING', 'CONFIRMED'], paidAt: [null, new Date().toISOString()] },
    });
    const page = await send(gateway.url, 'GET', `/v1/admin/audit?entityId=${entityId}`, {
      token: admin.token,
    });
    expect(page.body.items).toHaveLength(1);
    expectKept('AdminAudit', page);
    const unfiltered = await send(gateway.url, 'GET', '/v1/admin/audit', { token: admin.token });
    expect(unfiltered.status).toBe(400);
    expectKept('AdminAudit', unfiltered);
  });

  it('problems: 400, 401, 403, 404 and 409 as documented for their routes', async () => {
    const invalid = await send(gateway.url, 'POST', '/v1/events', {
      token: organizer.token,
      body: { ...eventBody(), venue: { name: 'Hall', latitude: 91, longitude: 0 } },
    });
    expect(invalid.body.errors).toEqual([
      { path: 'body.venue.latitude', message: expect.any(String) },
    ]);
    expectKept('CreateEvent', invalid);
    expectKept(
      'CreateEvent',
      await send(gateway.url, 'POST', '/v1/events', { token: customer.token, body: eventBody() }),
    );
    expectKept('GetEvent', await send(gateway.url, 'GET', '/v1/events/no-such-event'));

    const created = await send(gateway.url, 'POST', '/v1/events', {
      token: organizer.token,
      body: eventBody({ ticketTypes: [{ name: 'GA', priceCents: 5000, capacity: 2 }] }),
    });
    const eventId: string = created.body.id;
    await send(gateway.url, 'POST', `/v1/events/${eventId}/publish`, { token: organizer.token });
    const hold = {
      body: { items: [{ ticketTypeId: created.body.ticketTypes[0].id, quantity: 1 }] },
    };
    const anonymous = await send(gateway.url, 'POST', `/v1/events/${eventId}/orders`, hold);
    expect(anonymous.status).toBe(401);
    expectKept('HoldTickets', anonymous);
    const soldOut = await send(gateway.url, 'POST', `/v1/events/${eventId}/orders`, {
      token: customer.token,
      body: { items: [{ ...hold.body.items[0], quantity: 3 }] },
    });
    expect(soldOut.body.code).toBe('SOLD_OUT');
    expectKept('HoldTickets', soldOut);
  });

  it('control: a real problem fails under a route that does not document its code', async () => {
    const notFound = await send(gateway.url, 'GET', '/v1/events/no-such-event');
    expect(breaches(document, 'GetEvent', notFound)).toEqual([]);
    expect(breaches(document, 'GetMe', notFound)).toEqual([
      `GetMe does not document 404: ${notFound.text}`,
    ]);
    const asRegister = { ...notFound, status: 409, body: { ...notFound.body, status: 409 } };
    expect(breaches(document, 'Register', asRegister).join('\n')).toMatch(/code/);
    const leaky = { ...notFound, body: { ...notFound.body, stack: 'at handler (x.ts:1)' } };
    expect(breaches(document, 'GetEvent', leaky).length).toBeGreaterThan(0);
  });
});
