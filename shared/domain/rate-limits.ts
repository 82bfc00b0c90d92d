import type { Clock } from './clock.js';
import { RateLimited, type RateLimitState, Unauthenticated } from './errors.js';

/**
 * Limits per client (SPEC "Rate limits (per client)"): one noisy client spends only its
 * own budget. Each limit is a fixed window counted in one shared counter item per client
 * and window, so every Lambda container agrees; the route throttles in front of the API
 * are a capacity guard for everyone together, not this.
 */

export interface RatePolicy {
  /** Names the policy in keys and in the RateLimit headers. */
  name: 'anon' | 'user' | 'holds' | 'login';
  quota: number;
  windowSeconds: number;
}

export interface RateLimitConfig {
  /** Requests per minute per source IP, for callers without a valid token. */
  anonymousPerMinute: number;
  /** Requests per minute per signed-in user. */
  userPerMinute: number;
  /** Hold requests (REST or GraphQL) per minute per customer. */
  holdsPerMinute: number;
  /** Failed logins per account per 15 minutes; then that account's logins are refused. */
  loginFailuresPer15Minutes: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  anonymousPerMinute: 600,
  userPerMinute: 1200,
  holdsPerMinute: 30,
  loginFailuresPer15Minutes: 10,
};

/** Who is asking: a signed-in user by id, anyone else by source address. */
export type Client = { userId: string } | { sourceIp: string };

/** A window's item, by the policy that keys it and the client. */
export interface WindowRef {
  policy: string;
  client: string;
  /** Epoch seconds. */
  windowStart: number;
}

export interface WindowCount {
  /** Every counter of the hit, after it (admitted) or as they stood (refused). */
  counts: Record<string, number>;
  admitted: boolean;
}

/** Fixed-window counters shared by every container. */
export interface RateCounter {
  /**
   * Counts one more of each counter unless one of them already holds its quota (then
   * none): one conditional write, however many counters.
   */
  hit(window: WindowRef, quotas: Record<string, number>, expiresAt: number): Promise<WindowCount>;
  /** Counts one more of `counter` whatever its count (a failed login happened either way). */
  record(window: WindowRef, counter: string, expiresAt: number): Promise<void>;
  /** A counter's count so far, without counting. */
  read(window: WindowRef, counter: string): Promise<number>;
}

export interface RateLimitLog {
  /** A counter could not be reached: the request goes on (the route throttles still stand). */
  counterFailed(policy: string, error: unknown): void;
  /** Each refusal, for the `RateLimited` metric. */
  limited(state: RateLimitState): void;
}

/** A window's item outlives its window by this, then goes by TTL. */
const COUNTER_GRACE_SECONDS = 60;
/** Each policy's counter on its window item. */
const COUNTER: Record<RatePolicy['name'], string> = {
  anon: 'hits',
  user: 'hits',
  holds: 'holds',
  login: 'failures',
};
/** The window item a policy counts on: a customer's holds count on their request window. */
const WINDOW_OF: Record<RatePolicy['name'], string> = {
  anon: 'anon',
  user: 'user',
  holds: 'user',
  login: 'login',
};

/** Refusals remembered per container: a flood past its limit costs no write until reset. */
const MAX_REMEMBERED_REFUSALS = 10_000;

export class ClientLimits {
  private readonly policies: Record<RatePolicy['name'], RatePolicy>;
  /** `<policy>#<client>` → when its window ends (ms): answered 429 here without a write. */
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly counter: RateCounter,
    config: RateLimitConfig,
    private readonly clock: Clock,
    private readonly log: RateLimitLog,
  ) {
    this.policies = {
      anon: { name: 'anon', quota: config.anonymousPerMinute, windowSeconds: 60 },
      user: { name: 'user', quota: config.userPerMinute, windowSeconds: 60 },
      holds: { name: 'holds', quota: config.holdsPerMinute, windowSeconds: 60 },
      login: { name: 'login', quota: config.loginFailuresPer15Minutes, windowSeconds: 15 * 60 },
    };
  }

  /**
   * Counts one request of the client, and for a hold request (`hold`) one hold of the
   * customer, in one write: a signed-in caller's requests and holds share one window
   * item. Throws `RateLimited` naming the limit that is full (then nothing is counted).
   */
  admitRequest(client: Client, { hold = false } = {}): Promise<RateLimitState> {
    if (!('userId' in client)) return this.admit([this.policies.anon], client.sourceIp);
    return this.admit(
      hold ? [this.policies.user, this.policies.holds] : [this.policies.user],
      client.userId,
    );
  }

  /** Counts one hold of the customer alone (a request already counted, as GraphQL's). */
  admitHold(userId: string): Promise<RateLimitState> {
    return this.admit([this.policies.holds], userId);
  }

  /**
   * A login attempt on `account` (a key derived from its email): refused outright once
   * the account has had its quota of failures this window, whatever the password; a
   * failure (401) is counted. Successes count nothing, so a user who signs in is never
   * locked out by their own traffic.
   */
  async login<T>(account: string, attempt: () => Promise<T>): Promise<T> {
    const policy = this.policies.login;
    const window = this.windowOf(policy);
    const ref = this.refOf(policy, account, window);
    const failures = await this.safely(policy, () => this.counter.read(ref, COUNTER.login));
    if (failures !== undefined && failures >= policy.quota) {
      throw this.refuse(policy, window, `Too many failed logins for this account; retry later`);
    }
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof Unauthenticated) {
        await this.safely(policy, () => this.counter.record(ref, COUNTER.login, window.expiresAt));
      }
      throw error;
    }
  }

  /** `policies` count on one window item (the first one's), all or none. */
  private async admit(
    policies: [RatePolicy, ...RatePolicy[]],
    client: string,
  ): Promise<RateLimitState> {
    const [first] = policies;
    const window = this.windowOf(first);
    const nowMs = this.clock.now().getTime();
    for (const policy of policies) {
      const refusedUntil = this.refusedUntil.get(`${policy.name}#${client}`);
      if (refusedUntil !== undefined && refusedUntil > nowMs) {
        throw this.refuse(policy, window, this.detailOf(policy));
      }
    }
    const quotas = Object.fromEntries(policies.map((p) => [COUNTER[p.name], p.quota]));
    const counted = await this.safely(first, () =>
      this.counter.hit(this.refOf(first, client, window), quotas, window.expiresAt),
    );
    if (counted && !counted.admitted) {
      const full = policies.find((p) => (counted.counts[COUNTER[p.name]] ?? 0) >= p.quota) ?? first;
      this.remember(`${full.name}#${client}`, window.endMs);
      throw this.refuse(full, window, this.detailOf(full));
    }
    return this.stateOf(first, window, counted?.counts[COUNTER[first.name]] ?? 0);
  }

  private refOf(policy: RatePolicy, client: string, window: Window): WindowRef {
    return { policy: WINDOW_OF[policy.name], client, windowStart: window.start };
  }

  private detailOf(policy: RatePolicy): string {
    const per = policy.windowSeconds === 60 ? 'a minute' : `${policy.windowSeconds} seconds`;
    const what = policy.name === 'holds' ? 'hold requests' : 'requests';
    return `This client may send ${policy.quota} ${what} in ${per}; retry after the window resets`;
  }

  private refuse(policy: RatePolicy, window: Window, detail: string): RateLimited {
    const state = this.stateOf(policy, window, policy.quota);
    this.log.limited(state);
    return new RateLimited(detail, state);
  }

  private stateOf(policy: RatePolicy, window: Window, count: number): RateLimitState {
    const nowMs = this.clock.now().getTime();
    return {
      policy: policy.name,
      quota: policy.quota,
      windowSeconds: policy.windowSeconds,
      remaining: Math.max(0, policy.quota - count),
      resetSeconds: Math.max(1, Math.ceil((window.endMs - nowMs) / 1000)),
    };
  }

  private windowOf(policy: RatePolicy): Window {
    const windowMs = policy.windowSeconds * 1000;
    const start = Math.floor(this.clock.now().getTime() / windowMs) * windowMs;
    const endMs = start + windowMs;
    return {
      start: start / 1000,
      endMs,
      expiresAt: endMs / 1000 + COUNTER_GRACE_SECONDS,
    };
  }

  private remember(memoKey: string, untilMs: number): void {
    if (this.refusedUntil.size >= MAX_REMEMBERED_REFUSALS) {
      const nowMs = this.clock.now().getTime();
      for (const [key, until] of this.refusedUntil) {
        if (until <= nowMs) this.refusedUntil.delete(key);
      }
      // Still full of live refusals: forget the oldest rather than grow without bound.
      if (this.refusedUntil.size >= MAX_REMEMBERED_REFUSALS) {
        const oldest = this.refusedUntil.keys().next().value;
        if (oldest !== undefined) this.refusedUntil.delete(oldest);
      }
    }
    this.refusedUntil.set(memoKey, untilMs);
  }

  /** A limiter that is down must not take the API down with it. */
  private async safely<T>(policy: RatePolicy, count: () => Promise<T>): Promise<T | undefined> {
    try {
      return await count();
    } catch (error) {
      this.log.counterFailed(policy.name, error);
      return undefined;
    }
  }
}

interface Window {
  /** Epoch seconds the window started at: part of the counter's key. */
  start: number;
  endMs: number;
  /** Epoch seconds for the counter item's TTL. */
  expiresAt: number;
}
