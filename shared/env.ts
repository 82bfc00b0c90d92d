/**
 * Names of the environment variables that connect a function to its resources.
 * The CDK stack sets them next to the grant that goes with them; the runtime reads
 * them once, at cold start, through `requireEnv`.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  serviceVersion: 'SERVICE_VERSION',
  /** `cognito` on AWS, `local` in the local stack and tests. */
  identityProvider: 'IDENTITY_PROVIDER',
  userPoolId: 'USER_POOL_ID',
  /** The app client tokens are issued to; the authorizer checks it. */
  userPoolClientId: 'USER_POOL_CLIENT_ID',
  tokenIssuer: 'TOKEN_ISSUER',
  tokenJwksUri: 'TOKEN_JWKS_URI',
  /** The local identity provider's RS256 signing key, as a private JWK with `kid`. */
  localIdpPrivateJwk: 'LOCAL_IDP_PRIVATE_JWK',
  /** `aws` on AWS (EventBridge Scheduler, SQS), `local` in the local stack and tests. */
  runtime: 'ASYNC_RUNTIME',
  scheduleGroupName: 'SCHEDULE_GROUP_NAME',
  expiryFunctionArn: 'EXPIRY_FUNCTION_ARN',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  schedulerDeadLetterArn: 'SCHEDULER_DLQ_ARN',
  emailQueueUrl: 'EMAIL_QUEUE_URL',
  senderEmail: 'SENDER_EMAIL',
  /** The SES configuration set that reports bounces and complaints (see the alarms). */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Optional: emails per recipient address per clock hour (default 20), over which they are dropped. */
  emailCapPerHour: 'EMAIL_CAP_PER_HOUR',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** The WebSocket stage's management endpoint (https://…/live), for PostToConnection. */
  liveConnectionsEndpoint: 'LIVE_CONNECTIONS_ENDPOINT',
  /** Per-client limits (SPEC "Rate limits (per client)"); each has a default. */
  rateLimitAnon: 'RATE_LIMIT_ANON',
  rateLimitUser: 'RATE_LIMIT_USER',
  rateLimitHolds: 'RATE_LIMIT_HOLDS',
  rateLimitLoginFailures: 'RATE_LIMIT_LOGIN_FAILURES',
  /**
   * Optional: how long (ms) a container serves an event it read to the callers who manage
   * no events (default 1000; `0` reads every time). README "Hot reads".
   */
  eventReadMemoMs: 'EVENT_READ_MEMO_MS',
  /** `off` switches the per-client limits off: for the bench's comparison run, never set by the stack. */
  rateLimits: 'RATE_LIMITS',
} as const;

export class MissingConfigError extends Error {
  constructor(name: string) {
    super(`Environment variable ${name} is required but not set`);
    this.name = 'MissingConfigError';
  }
}

/** Reads a required variable; called at module scope so a misconfigured function fails at cold start. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') throw new MissingConfigError(name);
  return value;
}

/**
 * Reads an optional whole number ≥ 1, or `fallback` when unset; anything else (`0`, `abc`,
 * `2.5`) throws at cold start instead of quietly becoming a different limit.
 */
export function optionalPositiveInt(name: string, fallback: number): number {
  const value = process.env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  if (!/^[1-9]\d{0,8}$/.test(value)) {
    throw new Error(
      `Environment variable ${name} must be a whole number of at least 1, got "${value}"`,
    );
  }
  return Number(value);
}
