import { createHash } from 'node:crypto';
import { DynamoRateCounter } from '../adapters/dynamo-rate-counter.js';
import { systemClock } from '../domain/clock.js';
import { ClientLimits, DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../domain/rate-limits.js';
import { ENV } from '../env.js';
import { businessMetrics, logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';

function limitFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of requests above 0, got "${raw}"`);
  }
  return value;
}

function rateLimitConfig(): RateLimitConfig | null {
  const switched = process.env[ENV.rateLimits] ?? 'on';
  if (switched !== 'on' && switched !== 'off') {
    throw new Error(`${ENV.rateLimits} must be "on" or "off", got "${switched}"`);
  }
  if (switched === 'off') return null;
  return {
    anonymousPerMinute: limitFromEnv(ENV.rateLimitAnon, DEFAULT_RATE_LIMITS.anonymousPerMinute),
    userPerMinute: limitFromEnv(ENV.rateLimitUser, DEFAULT_RATE_LIMITS.userPerMinute),
    holdsPerMinute: limitFromEnv(ENV.rateLimitHolds, DEFAULT_RATE_LIMITS.holdsPerMinute),
    loginFailuresPer15Minutes: limitFromEnv(
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
