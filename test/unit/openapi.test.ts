import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { buildOpenApiDocument, documentedResponses } from '../../shared/api/openapi.js';
import {
  type analyticsSchema,
  type eventStatsSchema,
  type eventViewSchema,
  type loginTokenSchema,
  type nearbyEventViewSchema,
  openApiDocumentSchema,
  orderViewSchema,
  type problemSchema,
  type registeredUserSchema,
  type seatPageSchema,
  type userSchema,
} from '../../shared/api/responses.js';
import type { RouteDefinition } from '../../shared/api/route-record.js';
import { HoldTickets } from '../../shared/api/routes/orders.js';
import { Health } from '../../shared/api/routes/service.js';
import type { Analytics, EventStats } from '../../shared/domain/analytics-model.js';
import { Unauthenticated } from '../../shared/domain/errors.js';
import type { EventView, NearbyEventView } from '../../shared/domain/event-model.js';
import { type OrderView, toOrderView } from '../../shared/domain/order-model.js';
import type { Page } from '../../shared/domain/page.js';
import type { SeatView } from '../../shared/domain/seat-map.js';
import type { User } from '../../shared/domain/user-model.js';
import type { LoginResult } from '../../shared/domain/users.js';
import type { Problem } from '../../shared/http/problem.js';
import { routes } from '../../shared/routes.js';
import { invoke } from '../support/invoke.js';
import { jsonSchemaValidator } from '../support/openapi.js';
import { domainOrder } from '../support/orders-fixtures.js';

const VERSION = 'unit-test';
const document = buildOpenApiDocument({ version: VERSION });
/** The document as a client receives it: plain JSON. */
const json = JSON.parse(JSON.stringify(document)) as any;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(doc: any): { path: string; method: string; operation: any }[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as object)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  );
}

function operationOf(route: RouteDefinition): any {
  return json.paths?.[route.path]?.[route.method.toLowerCase()];
}

const strings = (values?: Record<string, unknown>) =>
  values && Object.fromEntries(Object.entries(values).map(([name, v]) => [name, String(v)]));

/**
 * What the handler would say about this example: it is sent over HTTP, so the body goes
 * through JSON and query and header values arrive as strings, exactly as the gateway
 * hands them on.
 */
function exampleIssues(entry: RouteDefinition, example: RouteDefinition['example']): string[] {
  const wire = {
    params: example.params,
    query: strings(example.query),
    body: example.body === undefined ? undefined : JSON.parse(JSON.stringify(example.body)),
    headers: strings(example.headers),
  };
  return (['params', 'query', 'body', 'headers'] as const).flatMap((part) => {
    const schema = entry.request[part];
    if (!schema) {
      return wire[part] === undefined ? [] : [`${part}: example given, but no schema`];
    }
    const result = schema.safeParse(part === 'body' ? wire.body : (wire[part] ?? {}));
    return result.success
      ? []
      : result.error.issues.map((issue) => `${part}.${issue.path.join('.')}: ${issue.message}`);
  });
}

/** Every `$ref` in the tree, and the ones that point at nothing. */
function danglingRefs(doc: unknown): { refs: string[]; dangling: string[] } {
  const refs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') refs.push(value);
        else walk(value);
      }
    }
  };
  walk(doc);
  const resolves = (ref: string) =>
    ref.startsWith('#/') &&
    ref
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<any>(
        (node, key) => (node !== null && typeof node === 'object' ? node[key] : undefined),
        doc,
      ) !== undefined;
  return { refs, dangling: refs.filter((ref) => !resolves(ref)) };
}

const compile = (schema: unknown) => jsonSchemaValidator(json, schema);

describe('the OpenAPI document covers the route table', () => {
  it('has one operation per route, at its method and path, with the route id as operationId', () => {
    for (const route of routes) {
      expect(operationOf(route)?.operationId, `${route.method} ${route.path}`).toBe(route.id);
    }
    expect(operations(json)).toHaveLength(routes.length);
  });

  it('has each route id, and each method and path, once', () => {
    expect(new Set(routes.map((route) => route.id)).size).toBe(routes.length);
    expect(new Set(routes.map((route) => `${route.method} ${route.path}`)).size).toBe(
      routes.length,
    );
  });

  it.each(routes)('$id: its handler is built from its own route record', async (route) => {
    const { handler } = (await import(`../../functions/${route.handler}.ts`)) as {
      handler: { route?: RouteDefinition };
    };
    // Identity, not equality: the handler validates with the documented schema objects.
    expect(handler.route).toBe(route);
  });

  it('a route without its documentation does not compile', () => {
    // @ts-expect-error: tag, summary, request, example, success and errors are required.
    const undocumented: RouteDefinition = {
      id: 'Undocumented',
      method: 'GET',
      path: '/v1/undocumented',
      handler: 'undocumented',
      access: 'public',
      throttle: { rateLimit: 1, burstLimit: 1 },
    };
    // And one forced past the compiler still cannot be documented.
    expect(() => buildOpenApiDocument({ version: VERSION, routes: [undocumented] })).toThrow();
  });
});

describe('documented example requests', () => {
  it.each(routes)('$id: the example passes the handler schemas', (route) => {
    expect(exampleIssues(route, route.example)).toEqual([]);
  });

  it('control: a broken example is caught, refinements included', () => {
    const hold: RouteDefinition = HoldTickets;
    const body = hold.example.body as { items: { ticketTypeId: string; quantity: number }[] };
    const item = body.items[0];
    if (!item) throw new Error('the HoldTickets example holds nothing');
    expect(exampleIssues(hold, { ...hold.example, body: { items: [item, item] } })).toEqual([
      'body.items: each ticket type may appear once',
    ]);
    expect(
      exampleIssues(hold, { ...hold.example, body: { items: [{ ...item, quantity: 0 }] } }),
    ).toHaveLength(1);
    expect(exampleIssues(hold, { ...hold.example, params: {} })).toHaveLength(1);
    expect(
      exampleIssues(hold, { ...hold.example, headers: { 'idempotency-key': 'k'.repeat(256) } }),
    ).toEqual(['headers.idempotency-key: must be 1 to 255 visible ASCII characters, no spaces']);
    expect(exampleIssues(Health, { body: {} })).toEqual(['body: example given, but no schema']);
  });

  it.each(routes)('$id: the document carries the example', (route) => {
    const { example } = route;
    const operation = operationOf(route);
    expect(operation.requestBody?.content['application/json'].example).toEqual(example.body);
    for (const parameter of operation.parameters ?? []) {
      const values = { path: example.params, query: example.query, header: example.headers }[
        parameter.in as 'path' | 'query' | 'header'
      ] as Record<string, unknown> | undefined;
      if (parameter.required) expect(parameter.example, parameter.name).toBeDefined();
      expect(parameter.example).toEqual(values?.[parameter.name]);
    }
  });
});

describe('the document is OpenAPI 3.1', () => {
  it('declares 3.1, an info block and the bearer scheme', () => {
    expect(json.openapi).toMatch(/^3\.1\.\d+$/);
    expect(json.info).toMatchObject({ title: expect.any(String), version: VERSION });
    expect(json.servers).toEqual([{ url: '/' }]);
    expect(json.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(openApiDocumentSchema.safeParse(json).success).toBe(true);
  });

  it('is plain JSON', () => {
    expect(json).toEqual(document);
  });

  it('gives every operation a unique operationId and described responses', () => {
    const ids = operations(json).map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations(json)) {
      const responses = Object.entries(operation.responses ?? {});
      expect(responses.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const [status, response] of responses) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        expect((response as { description?: unknown }).description).toEqual(expect.any(String));
      }
    }
  });

  it('describes every `limit` as the integer it parses to, though the wire carries a string', () => {
    const limits = operations(json).flatMap(({ path, operation }) =>
      (operation.parameters ?? [])
        .filter((p: any) => p.in === 'query' && p.name === 'limit')
        .map((limit: any) => ({ path, limit })),
    );
    expect(limits).toHaveLength(7);
    for (const { path, limit } of limits) {
      // A seat map is read whole, so its pages are larger than other lists'.
      const pages = path.endsWith('/seats')
        ? { maximum: 1000, default: 100 }
        : { maximum: 100, default: 20 };
      expect(limit.schema, path).toMatchObject({ type: 'integer', minimum: 1, ...pages });
      expect(limit.schema.description).toMatch(/plain digits/);
    }
  });

  it('declares each path template parameter as a required path parameter, and no other', () => {
    for (const { path, method, operation } of operations(json)) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const declared = (operation.parameters ?? []).filter((p: any) => p.in === 'path');
      expect(declared.map((p: any) => p.name).sort(), `${method} ${path}`).toEqual(inTemplate);
      for (const parameter of declared) expect(parameter.required).toBe(true);
    }
  });

  it('resolves every $ref', () => {
    const { refs, dangling } = danglingRefs(json);
    expect(refs.length).toBeGreaterThan(0);
    expect(dangling).toEqual([]);
  });

  it('control: a dangling $ref is found', () => {
    const broken = structuredClone(json);
    broken.components.schemas.Event = undefined;
    expect(danglingRefs(broken).dangling).toContain('#/components/schemas/Event');
  });

  it('has examples that pass its own JSON Schemas', () => {
    let checked = 0;
    for (const { path, method, operation } of operations(json)) {
      const where = `${method} ${path}`;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.example === undefined) continue;
        // Query values are strings on the wire; the schema describes what they parse to.
        expect(compile(parameter.schema).safeParse(parameter.example).success, where).toBe(true);
        checked++;
      }
      const body = operation.requestBody?.content['application/json'];
      if (body) {
        expect(compile(body.schema).safeParse(body.example).error, where).toBeUndefined();
        checked++;
      }
      for (const response of Object.values<any>(operation.responses)) {
        for (const media of Object.values<any>(response.content ?? {})) {
          for (const example of Object.values<any>(media.examples ?? {})) {
            expect(compile(media.schema).safeParse(example.value).error, where).toBeUndefined();
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(routes.length);
  });

  it('control: an example the schema does not allow fails', () => {
    const media =
      json.paths['/v1/events/{eventId}/orders'].post.responses['409'].content[
        'application/problem+json'
      ];
    const soldOut = media.examples.SOLD_OUT.value;
    expect(compile(media.schema).safeParse(soldOut).success).toBe(true);
    expect(compile(media.schema).safeParse({ ...soldOut, code: 'EMAIL_TAKEN' }).success).toBe(
      false,
    );
    const create = json.paths['/v1/events'].post.requestBody.content['application/json'];
    expect(
      compile(create.schema).safeParse({ ...create.example, status: 'PUBLISHED' }).success,
    ).toBe(false);
  });
});

describe('security and errors', () => {
  it.each(routes)('$id: says who may call it', (route) => {
    const operation = operationOf(route);
    if (route.access === 'public') {
      expect(operation.security).toContainEqual({});
      // Only the route's own logic may ask for a sign-in (drafts, wrong credentials).
      const asksForSignIn = route.errors.includes(Unauthenticated);
      expect(operation.responses['401'] !== undefined).toBe(asksForSignIn);
    } else {
      expect(operation.security).toEqual([{ bearerAuth: [route.access] }]);
      expect(operation.responses['401'].content['application/problem+json']).toBeDefined();
    }
    const needsRole = route.access === 'organizer' || route.access === 'admin';
    if (needsRole) expect(operation.responses['403']).toBeDefined();
    expect(operation.responses['500']).toBeDefined();
    expect(operation.responses['429']).toBeDefined();
  });

  it.each(routes)('$id: documents 415 exactly when it takes a body', (route) => {
    const operation = operationOf(route);
    const unsupported = operation.responses['415'];
    if (route.request.body) {
      const media = unsupported?.content['application/problem+json'];
      expect(Object.keys(media?.examples ?? {})).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
      expect(unsupported.description).toContain('`UNSUPPORTED_MEDIA_TYPE`');
    } else {
      expect(unsupported).toBeUndefined();
    }
  });

  it('documents route-specific codes under their status', () => {
    const codesAt = (id: string, status: number) => {
      const route = routes.find((candidate) => candidate.id === id);
      if (!route) throw new Error(`no route ${id}`);
      const schema = documentedResponses(route).get(status)?.content?.schema;
      const codes = ['SOLD_OUT', 'EVENT_NOT_ON_SALE', 'EMAIL_TAKEN', 'VALIDATION_FAILED'];
      return codes.filter(
        (code) =>
          schema?.safeParse({
            type: 'https://ticketing.example/problems/x',
            title: 't',
            status,
            detail: 'd',
            code,
          }).success,
      );
    };
    expect(codesAt('HoldTickets', 409)).toEqual(['SOLD_OUT', 'EVENT_NOT_ON_SALE']);
    expect(codesAt('Register', 409)).toEqual(['EMAIL_TAKEN']);
    expect(codesAt('Register', 400)).toEqual(['VALIDATION_FAILED']);
    expect(codesAt('GetMe', 400)).toEqual([]);
  });
});

describe('response headers', () => {
  it('documents Cache-Control: no-store on the login answer', () => {
    const signedIn = json.paths['/v1/auth/login'].post.responses['200'];
    expect(signedIn.headers['Cache-Control']).toMatchObject({
      required: true,
      schema: { type: 'string', const: 'no-store' },
    });
  });
});

describe('response schemas', () => {
  const order = domainOrder({ status: 'PAYING', paymentToken: 'tok_visa' });

  it('accept what the handlers build, and nothing internal', () => {
    const view = toOrderView(order, new Date('2030-01-01T00:05:00.000Z'));
    expect(orderViewSchema.safeParse(view).error).toBeUndefined();
    expect(orderViewSchema.safeParse({ ...view, paymentToken: 'tok_visa' }).success).toBe(false);
    expect(orderViewSchema.safeParse({ ...view, status: 'PAYING' }).success).toBe(false);
  });

  // Checked by the compiler (npm run typecheck); vitest only runs the calls.
  it('have exactly the types the handlers return', () => {
    expectTypeOf<z.output<typeof eventViewSchema>>().branded.toEqualTypeOf<EventView>();
    expectTypeOf<z.output<typeof nearbyEventViewSchema>>().branded.toEqualTypeOf<NearbyEventView>();
    expectTypeOf<z.output<typeof orderViewSchema>>().toEqualTypeOf<OrderView>();
    expectTypeOf<z.output<typeof userSchema>>().toEqualTypeOf<User>();
    expectTypeOf<z.output<typeof registeredUserSchema>>().toEqualTypeOf<
      Pick<User, 'id' | 'email' | 'name' | 'roles' | 'emailVerified'>
    >();
    expectTypeOf<z.output<typeof loginTokenSchema>>().toEqualTypeOf<LoginResult>();
    expectTypeOf<z.output<typeof problemSchema>>().toEqualTypeOf<Problem>();
    expectTypeOf<z.output<typeof eventStatsSchema>>().branded.toEqualTypeOf<EventStats>();
    expectTypeOf<z.output<typeof analyticsSchema>>().toEqualTypeOf<Analytics>();
    expectTypeOf<z.output<typeof seatPageSchema>>().toEqualTypeOf<Page<SeatView>>();
  });
});

describe('GET /openapi.json', () => {
  it('serves the document, to anyone', async () => {
    const response = await invoke('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual(json);
  });
});

describe('rate-limit headers in the document (OWASP API4)', () => {
  const document = buildOpenApiDocument({ version: 'test' }) as any;
  const responsesOf = (route: RouteDefinition) =>
    document.paths[route.path][route.method.toLowerCase()].responses as Record<string, any>;

  it.each(routes.filter((route) => route.perClientLimit !== false))(
    '$id documents RateLimit on its 2xx and 4xx answers, and Retry-After on its 429',
    (route) => {
      for (const [status, response] of Object.entries(responsesOf(route))) {
        const headers = Object.keys(response.headers ?? {});
        if (status === '429') expect(headers).toContain('Retry-After');
        if (/^[24]/.test(status))
          expect(headers).toEqual(expect.arrayContaining(['RateLimit', 'RateLimit-Policy']));
        else expect(headers).not.toContain('RateLimit');
      }
    },
  );

  it('documents no RateLimit where nothing is counted (liveness, readiness, the document)', () => {
    expect(Object.keys(responsesOf(Health)['200'].headers ?? {})).not.toContain('RateLimit');
    expect(Object.keys(responsesOf(HoldTickets)['201'].headers)).toContain('RateLimit');
  });
});
