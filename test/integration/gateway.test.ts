import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientErrorResponse } from '../../local/gateway/responses.js';
import { type RunningGateway, startGateway } from '../../local/gateway.js';
import type { RouteDefinition } from '../../shared/api/route-record.js';
import { routes } from '../../shared/routes.js';
import {
  type Actor,
  expectProblem,
  registerAdmin,
  registerOrganizer,
} from '../support/http-api.js';

const PROBLEM_JSON = 'application/problem+json';

function route(id: string): RouteDefinition {
  const found = routes.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no route ${id}`);
  return found;
}

async function send(
  gateway: RunningGateway,
  method: string,
  path: string,
  body?: unknown,
  init: { rawBody?: string; token?: string } = {},
) {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(init.token !== undefined && { authorization: `Bearer ${init.token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    ...(init.rawBody !== undefined && { body: init.rawBody }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
  };
}

interface RawResponse {
  statusLine: string;
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * Writes `request` to the gateway byte for byte, as no HTTP client would, and reads the
 * answer until the gateway closes the connection.
 */
function sendRaw(gateway: RunningGateway, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(gateway.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const text = rest.join('\r\n\r\n');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      resolve({ statusLine, status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.end(request);
  });
}

function expectRawProblem(response: RawResponse, status: number, code: string): void {
  expect(response.statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} \\S`));
  expect(response.headers['content-type']).toBe(PROBLEM_JSON);
  expect(response.headers.connection).toBe('close');
  expect(response.body).toMatchObject({ status, code, title: expect.any(String) });
  expect(response.body.type).toMatch(/^https:\/\//);
  expect(typeof response.body.detail).toBe('string');
  expect(Number(response.headers['content-length'])).toBe(
    Buffer.byteLength(JSON.stringify(response.body)),
  );
}

describe('local gateway over real HTTP', () => {
  let gateway: RunningGateway;
  let organizer: Actor;
  const logLines: string[] = [];

  beforeAll(async () => {
    gateway = await startGateway({ port: 0, log: (line) => logLines.push(line) });
    // A real organizer: registered and logged in through this gateway, promoted by an admin.
    organizer = await registerOrganizer(gateway.url, await registerAdmin(gateway.url));
  });
  afterAll(() => gateway?.close());

  it('creates, publishes, lists and gets an event through the route table', async () => {
    const name = `Gateway Gig ${Date.now()}`;
    const created = await send(
      gateway,
      'POST',
      '/v1/events',
      {
        name,
        venue: { name: 'Hall', latitude: 52.5, longitude: 13.4 },
        startsAt: '2030-01-01T20:00:00Z',
        ticketTypes: [{ name: 'GA', priceCents: 5000, capacity: 100 }],
      },
      { token: organizer.token },
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(created.headers.get('apigw-requestid')).toBeTruthy();
    expect(created.body).toMatchObject({ name, status: 'DRAFT', currency: 'USD' });
    const id: string = created.body.id;
    expect(id).toBeTruthy();

    const published = await send(gateway, 'POST', `/v1/events/${id}/publish`, undefined, {
      token: organizer.token,
    });
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('PUBLISHED');

    // The query string reaches the handler as queryStringParameters.
    const list = await send(gateway, 'GET', `/v1/events?q=${encodeURIComponent(name)}&limit=5`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((event: { id: string }) => event.id)).toEqual([id]);
    expect(list.body).toHaveProperty('nextCursor', null);

    // The path parameter reaches the handler as pathParameters.eventId.
    const got = await send(gateway, 'GET', `/v1/events/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, name, status: 'PUBLISHED' });
    expect(got.body.ticketTypes).toEqual([
      expect.objectContaining({ name: 'GA', priceCents: 5000, capacity: 100, available: 100 }),
    ]);

    expect(logLines).toContainEqual(expect.stringMatching(/^POST \/v1\/events 201 \d+ms$/));
    expect(logLines).toContainEqual(
      expect.stringMatching(new RegExp(`^GET /v1/events/${id} 200 \\d+ms$`)),
    );
  });

  it('answers /health with the service version', async () => {
    const health = await send(gateway, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', version: 'integration-test' });
  });

  it('refuses query parameters on a route that takes none, as unknown ones everywhere', async () => {
    const response = await send(gateway, 'GET', '/health?verbose=1');
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      { path: 'query.verbose', message: 'unknown field "verbose"' },
    ]);
  });

  it('answers an unknown path with a 404 problem', async () => {
    const response = await send(gateway, 'GET', '/v1/nothing-here');
    expectProblem(response, 404, 'NOT_FOUND');
    // A path that only looks like a route (trailing slash, extra segment) is unknown too.
    expectProblem(await send(gateway, 'GET', '/health/'), 404, 'NOT_FOUND');
    expectProblem(await send(gateway, 'GET', '/v1/events/a/b/c'), 404, 'NOT_FOUND');
  });

  it('answers a known path with the wrong method with a 405 problem and an allow header', async () => {
    const response = await send(gateway, 'DELETE', '/health');
    expectProblem(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.get('allow')).toBe('GET');

    const onEvent = await send(gateway, 'PUT', '/v1/events/some-id');
    expectProblem(onEvent, 405, 'METHOD_NOT_ALLOWED');
    expect(onEvent.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH']);
  });

  it('answers a malformed JSON body with 400 VALIDATION_FAILED', async () => {
    const response = await send(gateway, 'POST', '/v1/events', undefined, {
      rawBody: '{"name": "unterminated',
      token: organizer.token,
    });
    expectProblem(response, 400, 'VALIDATION_FAILED');
  });

  it('answers a path with broken percent-encoding with 400, not a crash', async () => {
    expectProblem(await send(gateway, 'GET', '/v1/events/%E0%A4%A'), 400, 'VALIDATION_FAILED');
    // The gateway is still serving.
    expect((await send(gateway, 'GET', '/health')).status).toBe(200);
  });

  it('refuses a JSON body labelled text/plain with 415, as fetch labels a string body', async () => {
    const response = await fetch(`${gateway.url}/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email: organizer.email, password: organizer.password }),
    });
    const text = await response.text();

    expectProblem(
      { status: response.status, headers: response.headers, text, body: JSON.parse(text) },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('answers a header of 20,000 characters with a 431 problem', async () => {
    const response = await sendRaw(
      gateway,
      `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );

    expectRawProblem(response, 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
    // The gateway is still serving.
    expect((await send(gateway, 'GET', '/health')).status).toBe(200);
  });

  it('answers a path id of 20,000 characters with a 431 problem', async () => {
    const response = await sendRaw(
      gateway,
      `GET /v1/events/${'e'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    );

    expectRawProblem(response, 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
  });

  it('answers a request that is not HTTP with a 400 problem', async () => {
    for (const request of [
      'NONSENSE\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n',
      'POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n',
    ]) {
      expectRawProblem(await sendRaw(gateway, request), 400, 'VALIDATION_FAILED');
    }
  });

  it('answers a request that timed out with a 408 problem, as Node would with a bare 408', () => {
    const timeout = Object.assign(new Error('Request timeout'), {
      code: 'ERR_HTTP_REQUEST_TIMEOUT',
    });

    const response = clientErrorResponse(timeout);

    expect(response.status).toBe(408);
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    expect(JSON.parse(String(response.body))).toMatchObject({
      status: 408,
      code: 'REQUEST_TIMEOUT',
    });
  });

  it("control: a well-formed raw request gets the handler's answer", async () => {
    const response = await sendRaw(
      gateway,
      'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', version: 'integration-test' });
  });

  it('refuses a body above the limit with 413 before calling the handler', async () => {
    const response = await send(gateway, 'POST', '/v1/events', undefined, {
      rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) }),
    });
    expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('throttling', () => {
  let gateway: RunningGateway;
  const health = () => send(gateway, 'GET', '/health');
  const statusesOf = async (requests: Promise<{ status: number }>[]) =>
    (await Promise.all(requests)).map((response) => response.status).sort();

  beforeAll(async () => {
    // Warm the module so the first request's cold start does not stretch the burst.
    await import('../../functions/health.js');
    gateway = await startGateway({
      port: 0,
      log: () => undefined,
      routes: [
        { ...route('Health'), throttle: { rateLimit: 1, burstLimit: 2 } },
        route('ListEvents'),
      ],
    });
  });
  afterAll(() => gateway?.close());

  it('serves the burst, then answers 429 RATE_LIMITED, then refills at the rate', async () => {
    // Concurrent, so the bucket is consulted for all three before any refill to speak of.
    const burst = await Promise.all([health(), health(), health()]);
    expect(burst.map((response) => response.status).sort()).toEqual([200, 200, 429]);
    const limited = burst.find((response) => response.status === 429);
    if (!limited) throw new Error('no 429');
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The bucket is per route: another route is not affected.
    expect((await send(gateway, 'GET', '/v1/events')).status).toBe(200);

    // Tokens come back at one per second, but never more than the burst.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await statusesOf([health(), health(), health()]);
    expect(later[0]).toBe(200);
    expect(later[2]).toBe(429);
  });

  it('lets requests under the limits through (control)', async () => {
    await import('../../functions/health.js');
    const roomy = await startGateway({
      port: 0,
      log: () => undefined,
      routes: [
        { ...route('Health'), throttle: { rateLimit: 0.01, burstLimit: 20 } },
        // A real route: handlers only serve routes of the route table.
        { ...route('ListEvents'), throttle: { rateLimit: 5, burstLimit: 1 } },
      ],
    });
    try {
      // A burst up to burstLimit passes…
      const burst = await statusesOf(
        Array.from({ length: 20 }, () => send(roomy, 'GET', '/health')),
      );
      expect(burst).toEqual(Array(20).fill(200));
      // …and is exactly at the limit: the next one is refused.
      expect((await send(roomy, 'GET', '/health')).status).toBe(429);

      // Requests spaced under the steady rate (5/s → one per 200 ms) pass even with burst 1.
      const steady = [];
      for (let i = 0; i < 4; i++) {
        steady.push((await send(roomy, 'GET', '/v1/events')).status);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(steady).toEqual([200, 200, 200, 200]);
    } finally {
      await roomy.close();
    }
  });
});

describe('failing handlers', () => {
  let gateway: RunningGateway;
  let functionsDir: string;
  const secret = 'db password is hunter2';

  beforeAll(async () => {
    functionsDir = mkdtempSync(join(tmpdir(), 'gateway-functions-'));
    // The gateway runs `authorizer` from the same folder before every route that needs a
    // token, as API Gateway runs the stack's authorizer: this one lets everyone in
    // anonymously, and fails on demand.
    writeFileSync(
      join(functionsDir, 'authorizer.ts'),
      [
        'export const handler = async (event) => {',
        `  if (event.headers?.authorization === 'Bearer explode') throw new Error(${JSON.stringify(secret)});`,
        "  return { isAuthorized: true, context: { status: 'anonymous' } };",
        '};',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(functionsDir, 'boom.ts'),
      `export const handler = async () => { throw new Error(${JSON.stringify(secret)}); };\n`,
    );
    writeFileSync(
      join(functionsDir, 'bad-status.ts'),
      'export const handler = async () => ({ statusCode: 42, body: "odd" });\n',
    );
    const base = route('Health');
    gateway = await startGateway({
      port: 0,
      log: () => undefined,
      functionsDir,
      routes: [
        { ...base, id: 'Boom', path: '/boom', handler: 'boom' },
        { ...base, id: 'Missing', path: '/missing', handler: 'does-not-exist' },
        { ...base, id: 'BadStatus', path: '/bad-status', handler: 'bad-status' },
        { ...base, id: 'Guarded', path: '/guarded', handler: 'bad-status', access: 'customer' },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(functionsDir, { recursive: true, force: true });
  });

  it('turns a thrown error into a 500 INTERNAL problem without the internal message', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const response = await send(gateway, 'GET', '/boom');
      expectProblem(response, 500, 'INTERNAL');
      expect(response.text).not.toContain('hunter2');
      expect(response.text).not.toMatch(/at .*\.ts/); // no stack trace
      // The developer still sees what happened.
      expect(consoleError).toHaveBeenCalledWith(
        expect.stringContaining('Boom'),
        expect.objectContaining({ message: secret }),
      );

      expectProblem(await send(gateway, 'GET', '/missing'), 500, 'INTERNAL');
      expectProblem(await send(gateway, 'GET', '/bad-status'), 500, 'INTERNAL');
    } finally {
      consoleError.mockRestore();
    }
  });

  it('runs no authorizer in front of a public route, as the stack deploys it', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      // The authorizer would throw on this token; a public route never calls it.
      const response = await send(gateway, 'GET', '/bad-status', undefined, { token: 'explode' });
      expectProblem(response, 500, 'INTERNAL');
      expect(consoleError).toHaveBeenCalledWith(
        expect.stringContaining('returned an invalid statusCode'),
        42,
      );
      expect(consoleError).not.toHaveBeenCalledWith(
        expect.stringContaining('failed'),
        expect.objectContaining({ message: secret }),
      );
    } finally {
      consoleError.mockRestore();
    }
  });

  it('turns a failing authorizer into a 500 INTERNAL problem without the internal message', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const response = await send(gateway, 'GET', '/guarded', undefined, { token: 'explode' });
      expectProblem(response, 500, 'INTERNAL');
      expect(response.text).not.toContain('hunter2');
      expect(consoleError).toHaveBeenCalledWith(
        expect.stringContaining('Guarded'),
        expect.objectContaining({ message: secret }),
      );
    } finally {
      consoleError.mockRestore();
    }
  });
});
