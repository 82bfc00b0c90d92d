import type { RouteDefinition, Throttle } from '../../shared/api/route-record.js';
import { type GatewayResponse, problemResponse } from './responses.js';

/**
 * API Gateway's throttle: a token bucket per route holding up to `burstLimit` tokens,
 * refilled at `rateLimit` tokens per second; each request takes one.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly throttle: Throttle,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = throttle.burstLimit;
    this.last = now();
  }

  /** Takes a token if there is one; otherwise says how many ms until the next. */
  take(): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    const { rateLimit, burstLimit } = this.throttle;
    this.tokens = Math.min(burstLimit, this.tokens + ((now - this.last) / 1000) * rateLimit);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    const retryAfterMs =
      rateLimit > 0 && burstLimit >= 1 ? ((1 - this.tokens) / rateLimit) * 1000 : 60_000;
    return { ok: false, retryAfterMs };
  }
}

/** One bucket per route; `admit` answers 429 when the route's bucket is empty. */
export class RouteThrottles {
  private readonly buckets = new Map<string, TokenBucket>();

  admit(route: RouteDefinition): GatewayResponse | null {
    let bucket = this.buckets.get(route.id);
    if (!bucket) {
      bucket = new TokenBucket(route.throttle);
      this.buckets.set(route.id, bucket);
    }
    const token = bucket.take();
    if (token.ok) return null;
    return problemResponse(
      429,
      'RATE_LIMITED',
      'Too many requests',
      'The rate limit for this route is exceeded; retry later',
      { 'retry-after': String(Math.max(1, Math.ceil(token.retryAfterMs / 1000))) },
    );
  }
}
