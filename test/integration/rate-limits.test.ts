import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../local/gateway.js';
import { startGateway } from '../../local/gateway.js';
import { DynamoRateCounter } from '../../shared/adapters/dynamo-rate-counter.js';
import type { RateCounter, WindowCount } from '../../shared/domain/rate-limits.js';
import { documentClient, readTicketType, tableName } from '../support/events-api.js';
import { eventBody, uniqueToken } from '../support/events-fixtures.js';
import {
  type Actor,
  expectProblem,
  type HttpResponse,
  registerActor,
  registerAdmin,
  send,
  unthrottled,
} from '../support/http-api.js';

/*
 * The per-client limits through the real gateway, at the SPEC's defaults (the suite's
 * setup raises them for every other file; this one puts them back), but for the
 * anonymous quota, lowered as the env allows so a flood past it fits a test's time. Clients are told
 * apart by the socket's source address, as API Gateway tells them by `sourceIp`: Linux
 * routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 and 127.0.0.3 are two clients.
 */
process.env.RATE_LIMIT_ANON = '100';
delete process.env.RATE_LIMIT_USER;
delete process.env.RATE_LIMIT_HOLDS;
delete process.env.RATE_LIMIT_LOGIN_FAILURES;

const ANON_QUOTA = 100;
const HOLDS_QUOTA = 30;
const LOGIN_FAILURES_QUOTA = 10;

let gateway: RunningGateway;
let admin: Actor;

/** A request from `localAddress`, over node:http (fetch can't choose its source address). */
function sendFrom(
  localAddress: string,
  method: string,
  path: string,
  token?: string,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      {
        host: '127.0.0.1',
        port: gateway.port,
        localAddress,
        method,
        path,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          resolve({
            status: response.statusCode ?? 0,
            headers,
            text,
            body: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    call.on('error', reject);
    call.end();
  });
}

/**
 * The limits count in fixed minutes: a test that needs one whole window waits for the
 * next one when too little of this one is left.
 */
async function atLeastSecondsLeftInMinute(seconds: number): Promise<void> {
  const left = 60 - (Date.now() % 60_000) / 1000;
  if (left < seconds) await sleep(left * 1000 + 50);
}

async function flood(address: string, path: string, count: number): Promise<HttpResponse[]> {
  const answers: HttpResponse[] = [];
  // 20 at a time: enough to be a flood, few enough for DynamoDB Local on two cores.
  for (let sent = 0; sent < count; sent += 20) {
    const wave = Math.min(20, count - sent);
    answers.push(
      ...(await Promise.all(Array.from({ length: wave }, () => sendFrom(address, 'GET', path)))),
    );
  }
  return answers;
}

beforeAll(async () => {
  gateway = await startGateway({ port: 0, routes: unthrottled(), log: () => undefined });
  admin = await registerAdmin(gateway.url);
});

afterAll(async () => {
  await gateway?.close();
});

describe('per-client limits (SPEC "Rate limits (per client)")', () => {
  it('refuses an anonymous address past its quota a minute while another is served', async () => {
    await atLeastSecondsLeftInMinute(20);
    const path = `/v1/events/${uniqueToken('no-such-event')}`;

    const flooder = await flood('127.0.0.2', path, ANON_QUOTA + 5);
    const bystander = await sendFrom('127.0.0.3', 'GET', path);

    const served = flooder.filter((response) => response.status === 404);
    const refused = flooder.filter((response) => response.status === 429);
    expect(served).toHaveLength(ANON_QUOTA);
    expect(refused).toHaveLength(5);
    const refusal = refused[0] as HttpResponse;
    expectProblem(refusal, 429, 'RATE_LIMITED');
    const retryAfter = Number(refusal.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refusal.headers.get('ratelimit-policy')).toBe('"anon";q=100;w=60');
    expect(refusal.headers.get('ratelimit')).toBe(`"anon";r=0;t=${retryAfter}`);
    expect(bystander.status).toBe(404);
    expect(bystander.headers.get('ratelimit')).toMatch(/^"anon";r=99;t=\d+$/);
  }, 90_000);

  it("doesn't spend a signed-in customer's budget on an anonymous flood from their address", async () => {
    await atLeastSecondsLeftInMinute(20);
    const customer = await registerActor(gateway.url, 'neighbour');
    await flood('127.0.0.4', '/v1/me', 50);

    const theirs = await sendFrom('127.0.0.4', 'GET', '/v1/me', customer.token);

    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('ratelimit-policy')).toBe('"user";q=1200;w=60');
    expect(theirs.headers.get('ratelimit')).toMatch(/^"user";r=1199;t=\d+$/);
  });

  it("doesn't let anonymous calls to a signed-in route spend that route's throttle", async () => {
    const tight = await startGateway({
      port: 0,
      routes: unthrottled().map((route) =>
        route.id === 'GetMe' ? { ...route, throttle: { rateLimit: 0.01, burstLimit: 3 } } : route,
      ),
      log: () => undefined,
    });
    try {
      const customer = await registerActor(tight.url, 'throttled');
      const anonymous = await Promise.all(
        Array.from({ length: 10 }, () => send(tight.url, 'GET', '/v1/me')),
      );
      const signedIn = [];
      for (let i = 0; i < 4; i++) {
        signedIn.push(await send(tight.url, 'GET', '/v1/me', { token: customer.token }));
      }

      expect(anonymous.map((response) => response.status)).toEqual(Array(10).fill(401));
      expect(signedIn.slice(0, 3).map((response) => response.status)).toEqual([200, 200, 200]);
      // CONTROL: the bucket is real, and it is the signed-in calls that spend it.
      expectProblem(signedIn[3] as HttpResponse, 429, 'RATE_LIMITED');
    } finally {
      await tight.close();
    }
  });

  it('locks an account after 10 failed logins, even for the right password, and no other', async () => {
    const victim = await registerActor(gateway.url, 'victim');
    const bystander = await registerActor(gateway.url, 'bystander');
    const loginAs = (email: string, password: string) =>
      send(gateway.url, 'POST', '/v1/auth/login', { body: { email, password } });

    const failures = [];
    for (let i = 0; i < LOGIN_FAILURES_QUOTA; i++) {
      failures.push(await loginAs(victim.email, 'wrong-password'));
    }
    const eleventh = await loginAs(victim.email, victim.password);
    const other = await loginAs(bystander.email, bystander.password);

    expect(failures.map((response) => response.status)).toEqual(Array(10).fill(401));
    expectProblem(eleventh, 429, 'RATE_LIMITED');
    expect(eleventh.headers.get('ratelimit-policy')).toBe('"login";q=10;w=900');
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(eleventh.body).not.toHaveProperty('accessToken');
    expect(other.status).toBe(200);
  });

  it('cuts a hold → cancel loop off at 30 holds a minute, with the stock intact', {
    timeout: 90_000,
  }, async () => {
    await atLeastSecondsLeftInMinute(30);
    const created = await send(gateway.url, 'POST', '/v1/events', {
      token: admin.token,
      body: eventBody({ ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 20 }] }),
    });
    const eventId = created.body.id as string;
    await send(gateway.url, 'POST', `/v1/events/${eventId}/publish`, { token: admin.token });
    const ticketTypeId = created.body.ticketTypes[0].id as string;
    const customer = await registerActor(gateway.url, 'looper');
    const holdAll = () =>
      send(gateway.url, 'POST', `/v1/events/${eventId}/orders`, {
        token: customer.token,
        body: { items: [{ ticketTypeId, quantity: 10 }] },
      });

    const answers: number[] = [];
    for (let i = 0; i < HOLDS_QUOTA; i++) {
      const held = await holdAll();
      answers.push(held.status);
      await send(gateway.url, 'POST', `/v1/orders/${held.body.id}/cancel`, {
        token: customer.token,
      });
    }
    const cutOff = await holdAll();
    const overGraphQL = await send(gateway.url, 'POST', '/graphql', {
      token: customer.token,
      body: {
        query: `mutation { createOrder(eventId: "${eventId}", items: [{ ticketTypeId: "${ticketTypeId}", quantity: 1 }]) { id } }`,
      },
    });
    const mine = await send(gateway.url, 'GET', '/v1/me/orders?limit=100', {
      token: customer.token,
    });
    const stock = await readTicketType(eventId, ticketTypeId);

    expect(answers).toEqual(Array(HOLDS_QUOTA).fill(201));
    // The 31st never reached the stock: no order, nothing held.
    expectProblem(cutOff, 429, 'RATE_LIMITED');
    expect(cutOff.headers.get('ratelimit-policy')).toBe('"holds";q=30;w=60');
    // The same budget, whichever API the hold comes through.
    expect(overGraphQL.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(mine.body.items).toHaveLength(HOLDS_QUOTA);
    expect(stock).toMatchObject({ capacity: 20, available: 20, held: 0, sold: 0 });
  });
});

describe('the shared window counter under concurrency (DynamoDB Local)', () => {
  const QUOTA = 20;
  const CALLERS = 60;

  /** Two containers' counters on one table, as Lambda would have them. */
  async function race(counters: RateCounter[]): Promise<number> {
    const client = uniqueToken('race');
    const windowStart = Math.floor(Date.now() / 1000);
    const answers = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) =>
        (counters[i % counters.length] as RateCounter).hit(
          { policy: 'anon', client, windowStart },
          { hits: QUOTA },
          windowStart + 120,
        ),
      ),
    );
    return answers.filter((answer) => answer.admitted).length;
  }

  it('admits exactly the quota across containers, because the check is the write', async () => {
    const admitted = await race([
      new DynamoRateCounter(documentClient, tableName),
      new DynamoRateCounter(documentClient, tableName),
    ]);
    expect(admitted).toBe(QUOTA);
  });

  it('CONTROL: reading the count, then counting, admits more than the quota', async () => {
    const real = new DynamoRateCounter(documentClient, tableName);
    /** The read-then-write a limiter without a conditional write would do. */
    const readThenWrite: RateCounter = {
      read: (...args) => real.read(...args),
      record: (...args) => real.record(...args),
      hit: async (window, quotas, expiresAt): Promise<WindowCount> => {
        const count = await real.read(window, 'hits');
        if (count >= (quotas.hits ?? 0)) return { admitted: false, counts: { hits: count } };
        await real.record(window, 'hits', expiresAt);
        return { admitted: true, counts: { hits: count + 1 } };
      },
    };
    const admitted = await race([readThenWrite, readThenWrite]);
    expect(admitted).toBeGreaterThan(QUOTA);
  });
});
