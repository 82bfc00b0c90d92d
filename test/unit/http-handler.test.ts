import {
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../shared/api/openapi.js';
import { HoldTickets } from '../../shared/api/routes/orders.js';
import { routes } from '../../shared/routes.js';
import { adminContext, customerContext } from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';

/*
 * What the one HTTP wrapper (shared/http/handler.ts) refuses before any domain call, on
 * the real route handlers.
 */

// Every instance, including those the composition modules build at import.
const cognito = mockClient(CognitoIdentityProviderClient);
const ddb = mockClient(DynamoDBDocumentClient);
const rawDdb = mockClient(DynamoDBClient);

beforeEach(() => {
  cognito.reset();
  ddb.reset();
  rawDdb.reset();
});

function expectNoCallOut(): void {
  expect(cognito).not.toHaveReceivedAnyCommand();
  expect(ddb).not.toHaveReceivedAnyCommand();
  expect(rawDdb).not.toHaveReceivedAnyCommand();
}

/** The route's path with the contract example's path parameters in it. */
function examplePath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
}

const bodyRoutes = routes.filter((route) => route.request.body !== undefined);

describe('request bodies must be declared as JSON', () => {
  it('covers the routes that take a body', () => {
    expect(bodyRoutes.map((route) => route.id)).toEqual(
      expect.arrayContaining(['Register', 'Login', 'CreateEvent', 'HoldTickets', 'PayOrder']),
    );
  });

  it.each(bodyRoutes)('$id: refuses a JSON body sent as text/plain with 415', async (route) => {
    const { example } = route;
    const response = await invoke(route.method, examplePath(route.path, example.params), {
      body: example.body,
      headers: { 'content-type': 'text/plain' },
      as: adminContext(),
    });

    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectNoCallOut();
  });

  it.each([
    ['no content type', undefined],
    ['a form', 'application/x-www-form-urlencoded'],
    ['text/plain with a charset', 'text/plain; charset=utf-8'],
    ['a JSON look-alike', 'application/jsonp'],
    ['JSON text sequences', 'application/json-seq'],
    ['the wrong top-level type', 'text/json'],
    ['a suffix with no subtype', 'application/+json'],
    ['JSON as a parameter only', 'text/plain; type=application/json'],
  ])('refuses %s with 415 before reading the body', async (_, contentType) => {
    const response = await invoke('POST', '/v1/auth/login', {
      rawBody: '{"email":"ann@example.com","password":"correct horse battery"}',
      headers: { 'content-type': contentType },
    });

    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(response.body.detail).toMatch(/application\/json/);
    expectNoCallOut();
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;Charset=UTF-8',
    'application/json ; charset=utf-8',
    'application/vnd.api+json',
    'application/merge-patch+json; charset=utf-8',
  ])('accepts %s', async (contentType) => {
    cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: 'access.jwt', ExpiresIn: 3600, TokenType: 'Bearer' },
    });

    const response = await invoke('POST', '/v1/auth/login', {
      body: { email: 'ann@example.com', password: 'correct horse battery' },
      headers: { 'content-type': contentType },
    });

    expect(response.status, JSON.stringify(response.body)).toBe(200);
  });

  it('asks who is calling first: anonymous on a signed-in route is 401, not 415', async () => {
    const response = await invoke('POST', '/v1/events', {
      rawBody: '{}',
      headers: { 'content-type': 'text/plain' },
    });

    expectProblem(response, 401, 'UNAUTHENTICATED');
  });

  it('control: a route without a body ignores the content type', async () => {
    const response = await invoke('GET', '/health', { headers: { 'content-type': 'text/plain' } });

    expect(response.status).toBe(200);
  });
});

/** Every query parameter the document describes as an integer, with its route. */
const integerQueryParameters = (() => {
  const document = buildOpenApiDocument({ version: 'unit-test' }) as any;
  return routes.flatMap((route) =>
    (document.paths[route.path][route.method.toLowerCase()].parameters ?? [])
      .filter((parameter: any) => parameter.in === 'query' && parameter.schema.type === 'integer')
      .map((parameter: any) => ({
        id: route.id,
        route,
        name: parameter.name as string,
        maximum: parameter.schema.maximum as number,
      })),
  );
})();

describe('integer query parameters are plain digits', () => {
  it('covers every paged list', () => {
    expect(integerQueryParameters.map(({ id, name }) => `${id}.${name}`).sort()).toEqual([
      'AdminAudit.limit',
      'GetSeats.limit',
      'ListEvents.limit',
      'ListMyOrders.limit',
      'ListOrders.limit',
      'ListUsers.limit',
      'RelevantEvents.limit',
    ]);
  });

  const refused = ['0x10', '1e2', ' 10', '10 ', '10.0', '+5', '-1', '010', '', '1_0', '٣', '0'];

  it.each(integerQueryParameters)(
    '$id: refuses $name written other than in digits, or out of range',
    async ({ route, name, maximum }) => {
      const caller = adminContext();
      const { example } = route;
      // The caller's own id where the path names a user, so only the query can be wrong.
      const params = {
        ...example.params,
        ...('userId' in (example.params ?? {}) && { userId: caller.userId }),
      };
      for (const value of [...refused, String(maximum + 1)]) {
        const query = new URLSearchParams({ ...stringValues(example.query), [name]: value });
        const response = await invoke(route.method, `${examplePath(route.path, params)}?${query}`, {
          as: caller,
        });

        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(response.body.errors, `${name}=${JSON.stringify(value)}`).toEqual([
          { path: `query.${name}`, message: expect.any(String) },
        ]);
      }
      expectNoCallOut();
    },
  );

  it('control: the same request with digits gets past validation', async () => {
    ddb.onAnyCommand().resolves({ Items: [] });

    const response = await invoke('GET', '/v1/me/orders?limit=10', { as: customerContext() });

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });
});

function stringValues(values: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
}

describe('Idempotency-Key on holds is bounded', () => {
  const { example } = HoldTickets;
  const holdWithKey = (key: string) =>
    invoke('POST', examplePath('/v1/events/{eventId}/orders', example.params), {
      body: example.body,
      headers: { 'Idempotency-Key': key },
      as: customerContext(),
    });

  it.each([
    ['15,000 characters', 'k'.repeat(15_000)],
    ['256 characters', 'k'.repeat(256)],
    ['empty', ''],
    ['a space inside', 'order 1'],
    ['a tab', 'order\t1'],
    ['non-ASCII', 'bestellung-ü'],
    ['a control character', 'order\u00011'],
  ])(
    'refuses a key that is %s with 400 at headers.idempotency-key, writing nothing',
    async (_, key) => {
      const response = await holdWithKey(key);

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        { path: 'headers.idempotency-key', message: expect.any(String) },
      ]);
      // No idempotency record, no hold: neither DynamoDB client was called.
      expectNoCallOut();
    },
  );
});
