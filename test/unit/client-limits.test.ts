import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../shared/domain/clock.js';
import { RateLimited, type RateLimitState, Unauthenticated } from '../../shared/domain/errors.js';
import {
  ClientLimits,
  DEFAULT_RATE_LIMITS,
  type RateCounter,
  type WindowCount,
  type WindowRef,
} from '../../shared/domain/rate-limits.js';
import { clientOf, rateLimitHeaders } from '../../shared/http/client-limits.js';
import type { ApiEvent } from '../../shared/http/principal.js';

/** Windows as a map, as the table keeps them; counts every call it gets. */
class MemoryCounter implements RateCounter {
  readonly windows = new Map<string, number>();
  calls = 0;

  private keyOf(window: WindowRef, counter: string): string {
    return `${window.policy}#${window.client}#${window.windowStart}#${counter}`;
  }

  async hit(window: WindowRef, quotas: Record<string, number>): Promise<WindowCount> {
    this.calls++;
    const counts = Object.fromEntries(
      Object.keys(quotas).map((c) => [c, this.windows.get(this.keyOf(window, c)) ?? 0]),
    );
    if (Object.entries(quotas).some(([c, quota]) => (counts[c] ?? 0) >= quota)) {
      return { admitted: false, counts };
    }
    for (const c of Object.keys(quotas)) {
      counts[c] = (counts[c] ?? 0) + 1;
      this.windows.set(this.keyOf(window, c), counts[c] ?? 0);
    }
    return { admitted: true, counts };
  }

  async record(window: WindowRef, counter: string): Promise<void> {
    this.calls++;
    const key = this.keyOf(window, counter);
    this.windows.set(key, (this.windows.get(key) ?? 0) + 1);
  }

  async read(window: WindowRef, counter: string): Promise<number> {
    this.calls++;
    return this.windows.get(this.keyOf(window, counter)) ?? 0;
  }
}

/** 10 s into a minute, so a window has 50 s left. */
const START = Date.parse('2026-12-06T12:00:10Z');

function limitsWith(config = { ...DEFAULT_RATE_LIMITS, anonymousPerMinute: 3, holdsPerMinute: 2 }) {
  const counter = new MemoryCounter();
  let nowMs = START;
  const clock: Clock = { now: () => new Date(nowMs) };
  const log = { counterFailed: vi.fn(), limited: vi.fn() };
  const limits = new ClientLimits(counter, config, clock, log);
  return { limits, counter, log, advance: (ms: number) => (nowMs += ms) };
}

async function refusalOf(promise: Promise<unknown>): Promise<RateLimited> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RateLimited);
  return error as RateLimited;
}

describe('ClientLimits', () => {
  it('admits an anonymous address up to its quota, then refuses it with the window left', async () => {
    const { limits, log } = limitsWith();
    const states: RateLimitState[] = [];
    for (let i = 0; i < 3; i++) states.push(await limits.admitRequest({ sourceIp: '192.0.2.1' }));

    const refusal = await refusalOf(limits.admitRequest({ sourceIp: '192.0.2.1' }));

    expect(states.map((state) => state.remaining)).toEqual([2, 1, 0]);
    expect(refusal.status).toBe(429);
    expect(refusal.code).toBe('RATE_LIMITED');
    expect(refusal.limit).toEqual({
      policy: 'anon',
      quota: 3,
      windowSeconds: 60,
      remaining: 0,
      resetSeconds: 50,
    });
    expect(log.limited).toHaveBeenCalledWith(refusal.limit);
  });

  it("keeps one client's flood out of another's budget", async () => {
    const { limits } = limitsWith();
    for (let i = 0; i < 3; i++) await limits.admitRequest({ sourceIp: '192.0.2.1' });
    await refusalOf(limits.admitRequest({ sourceIp: '192.0.2.1' }));

    const other = await limits.admitRequest({ sourceIp: '192.0.2.2' });
    const signedIn = await limits.admitRequest({ userId: 'u1' });

    expect(other).toMatchObject({ policy: 'anon', remaining: 2 });
    expect(signedIn).toMatchObject({ policy: 'user', quota: 1200, remaining: 1199 });
  });

  it('answers a refused client from memory until its window ends, then counts afresh', async () => {
    const { limits, counter, advance } = limitsWith();
    for (let i = 0; i < 3; i++) await limits.admitRequest({ sourceIp: '192.0.2.1' });
    await refusalOf(limits.admitRequest({ sourceIp: '192.0.2.1' }));
    const callsAtRefusal = counter.calls;

    for (let i = 0; i < 5; i++) await refusalOf(limits.admitRequest({ sourceIp: '192.0.2.1' }));
    const callsWhileRefused = counter.calls - callsAtRefusal;
    advance(50_000);
    const next = await limits.admitRequest({ sourceIp: '192.0.2.1' });

    expect(callsWhileRefused).toBe(0);
    expect(next).toMatchObject({ remaining: 2, resetSeconds: 60 });
  });

  it("counts a REST hold request and its hold in one write, on the customer's request window", async () => {
    const { limits, counter } = limitsWith();
    const before = counter.calls;

    const state = await limits.admitRequest({ userId: 'u1' }, { hold: true });
    await limits.admitRequest({ userId: 'u1' }, { hold: true });
    const refusal = await refusalOf(limits.admitRequest({ userId: 'u1' }, { hold: true }));
    const plainRequest = await limits.admitRequest({ userId: 'u1' });

    expect(counter.calls - before).toBe(4);
    expect(state).toMatchObject({ policy: 'user', remaining: 1199 });
    // The full limit is named, and a request that holds nothing still goes through.
    expect(refusal.limit).toMatchObject({ policy: 'holds', quota: 2 });
    expect(plainRequest).toMatchObject({ policy: 'user', remaining: 1197 });
  });

  it('counts hold requests per customer apart from their requests', async () => {
    const { limits } = limitsWith();
    await limits.admitHold('u1');
    await limits.admitHold('u1');

    const refusal = await refusalOf(limits.admitHold('u1'));
    const otherCustomer = await limits.admitHold('u2');

    expect(refusal.limit).toMatchObject({ policy: 'holds', quota: 2 });
    expect(refusal.message).toContain('hold requests');
    expect(otherCustomer.remaining).toBe(1);
  });

  it("refuses an account's login after its quota of failures, even with the right password", async () => {
    const { limits } = limitsWith();
    const wrong = () => Promise.reject(new Unauthenticated('Wrong email or password'));
    for (let i = 0; i < 10; i++) {
      await expect(limits.login('account-a', wrong)).rejects.toBeInstanceOf(Unauthenticated);
    }
    const right = vi.fn(async () => 'token');

    const refusal = await refusalOf(limits.login('account-a', right));
    const otherAccount = await limits.login('account-b', right);

    expect(refusal.limit).toMatchObject({ policy: 'login', quota: 10, windowSeconds: 900 });
    expect(right).toHaveBeenCalledTimes(1);
    expect(otherAccount).toBe('token');
  });

  it('counts no successful login, and no failure other than wrong credentials', async () => {
    const { limits, counter } = limitsWith();
    for (let i = 0; i < 20; i++) await limits.login('account-a', async () => 'token');
    await expect(
      limits.login('account-a', () => Promise.reject(new Error('Cognito is down'))),
    ).rejects.toThrow('Cognito is down');

    expect([...counter.windows.values()]).toEqual([]);
  });

  it('admits the request when the counter fails, and says so', async () => {
    const { limits, log } = limitsWith();
    const failing: RateCounter = {
      hit: () => Promise.reject(new Error('throttled')),
      record: () => Promise.reject(new Error('throttled')),
      read: () => Promise.reject(new Error('throttled')),
    };
    const broken = new ClientLimits(failing, DEFAULT_RATE_LIMITS, { now: () => new Date() }, log);

    const state = await broken.admitRequest({ sourceIp: '192.0.2.1' });

    expect(state.remaining).toBe(600);
    expect(log.counterFailed).toHaveBeenCalledWith('anon', expect.any(Error));
    await expect(limits.admitRequest({ sourceIp: '192.0.2.9' })).resolves.toBeDefined();
  });
});

describe('rateLimitHeaders', () => {
  const state: RateLimitState = {
    policy: 'anon',
    quota: 600,
    windowSeconds: 60,
    remaining: 0,
    resetSeconds: 42,
  };

  it('writes the IETF RateLimit-Policy and RateLimit fields, and Retry-After on a refusal', () => {
    expect(rateLimitHeaders(state, true)).toEqual({
      'ratelimit-policy': '"anon";q=600;w=60',
      ratelimit: '"anon";r=0;t=42',
      'retry-after': '42',
    });
    expect(rateLimitHeaders(state, false)).not.toHaveProperty('retry-after');
  });
});

describe('clientOf', () => {
  const eventWith = (authorizer: unknown) =>
    ({
      requestContext: { http: { sourceIp: '198.51.100.7' }, authorizer },
      headers: { 'x-forwarded-for': '203.0.113.1' },
    }) as unknown as ApiEvent;

  it('keys a signed-in caller by user id', () => {
    const event = eventWith({ lambda: { status: 'authenticated', userId: 'u1' } });
    expect(clientOf(event)).toEqual({ userId: 'u1' });
  });

  it('keys anyone else by the source address API Gateway saw, never a header', () => {
    expect(clientOf(eventWith({ lambda: { status: 'anonymous' } }))).toEqual({
      sourceIp: '198.51.100.7',
    });
    expect(clientOf(eventWith({ lambda: { status: 'rejected', reason: 'expired' } }))).toEqual({
      sourceIp: '198.51.100.7',
    });
  });
});
