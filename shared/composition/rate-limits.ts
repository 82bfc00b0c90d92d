import { createHash } from 'node:crypto';
import { DynamoRateCounter } from '../adapters/dynamo-rate-counter.js';
import { systemClock } from '../domain/clock.js';
import { ClientLimits, DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../domain/rate-limits.js';
import { ENV, optionalPositiveInt } from '../env.js';
import { businessMetrics, logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';

function rateLimitConfig(): RateLimitConfig | null {
  const switched = process.env[ENV.rateLimits] ?? 'on';
  if (switched !== 'on' && switched !== 'off') {
    throw new Error(`${ENV.rateLimits} must be "on" or "off", got "${switched}"`);
  }
  if (switched === 'off') return null;
  return {
    anonymousPerMinute: optionalPositiveInt(
      ENV.rateLimitAnon,
      DEFAULT_RATE_LIMITS.anonymousPerMinute,
    ),
    userPerMinute: optionalPositiveInt(ENV.rateLimitUser, DEFAULT_RATE_LIMITS.userPerMinute),
    holdsPerMinute: optionalPositiveInt(ENV.rateLimitHolds, DEFAULT_RATE_LIMITS.holdsPerMinute),
    loginFailuresPer15Minutes: optionalPositiveInt(
      ENV.rateLimitLoginFailures,
      DEFAULT_RATE_LIMITS.loginFailuresPer15Minutes,
    ),
  };
}

const config = rateLimitConfig();

/** Read and checked once per container; null when switched off (`RATE_LIMITS=off`). */
export const clientLimits =
  config &&
  new ClientLimits(new DynamoRateCounter(documentClient, tableName), config, systemClock, {
    counterFailed: (policy, error) =>
      logger.warn('Rate-limit counter unavailable; request admitted', { policy, error }),
    limited: (state) => {
      logger.info('Rate limited', { rateLimit: state });
      businessMetrics.count('RateLimited');
    },
  });

/** Login failures are counted per account without keeping the address in a key. */
export const loginAccountKey = (email: string): string =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);

/** A login attempt under the account's failed-login limit. */
export const limitLogin = <T>(email: string, attempt: () => Promise<T>): Promise<T> =>
  clientLimits ? clientLimits.login(loginAccountKey(email), attempt) : attempt();

/** Counts a hold request against the customer's hold limit; throws `RateLimited` past it. */
export async function admitHold(userId: string): Promise<void> {
  await clientLimits?.admitHold(userId);
}
