import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { z } from 'zod';
import { DEFAULT_EMAIL_CAP_PER_HOUR } from '../shared/domain/emails.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../shared/domain/rate-limits.js';
import { TicketingStack } from './ticketing-stack.js';

const senderEmailSchema = z.email({
  message: 'context senderEmail must be an email address (-c senderEmail=...)',
});

/** Two stages deploy side by side: every name the stack makes starts with its stack's. */
const stageSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,15}$/,
    'context stage must be 1–16 lowercase letters, digits or dashes, starting with a letter (-c stage=prod)',
  );

/**
 * Only the built-in test gateway exists, which charges nobody: a deploy must say it wants
 * exactly that, so that no real stage takes orders it never charges by default.
 */
const paymentsSchema = z.literal('test', {
  error:
    'context payments must name the payment gateway: only the test gateway exists ' +
    '(shared/adapters/test-payment-gateway.ts). Deploy with -c payments=test, or implement ' +
    'PaymentGateway (shared/domain/order-ports.ts) for a real provider and wire it in ' +
    'shared/composition/orders.ts',
});

/** Per-client limits (SPEC "Rate limits (per client)"), each overridable by context. */
const RATE_LIMIT_CONTEXT = {
  rateLimitAnon: ['anonymousPerMinute', DEFAULT_RATE_LIMITS.anonymousPerMinute],
  rateLimitUser: ['userPerMinute', DEFAULT_RATE_LIMITS.userPerMinute],
  rateLimitHolds: ['holdsPerMinute', DEFAULT_RATE_LIMITS.holdsPerMinute],
  rateLimitLoginFailures: [
    'loginFailuresPer15Minutes',
    DEFAULT_RATE_LIMITS.loginFailuresPer15Minutes,
  ],
} as const;

/** A whole number above 0 from context `key`, or `fallback` when not given. */
function countFromContext(app: App, key: string, fallback: number): number {
  return z.coerce
    .number({ error: `context ${key} must be a number (-c ${key}=${fallback})` })
    .int()
    .positive(`context ${key} must be a whole number above 0`)
    .parse(app.node.tryGetContext(key) ?? fallback);
}

function rateLimitsOf(app: App): RateLimitConfig {
  const entries = Object.entries(RATE_LIMIT_CONTEXT).map(([key, [field, fallback]]) => [
    field,
    countFromContext(app, key, fallback),
  ]);
  return Object.fromEntries(entries) as unknown as RateLimitConfig;
}

/**
 * The app as deployed: the stack, configured from CDK context, plus cdk-nag's AWS
 * Solutions checks, whose unacknowledged findings fail synth.
 */
export function buildApp(appProps: AppProps, serviceVersion: string) {
  const app = new App(appProps);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stage = stageSchema.parse(app.node.tryGetContext('stage') ?? 'dev');
  paymentsSchema.parse(app.node.tryGetContext('payments'));
  const stack = new TicketingStack(app, `Ticketing-${stage}`, {
    senderEmail: senderEmailSchema.parse(app.node.tryGetContext('senderEmail')),
    serviceVersion,
    rateLimits: rateLimitsOf(app),
    emailCapPerHour: countFromContext(app, 'emailCapPerHour', DEFAULT_EMAIL_CAP_PER_HOUR),
    description:
      'Serverless event ticketing: HTTP and WebSocket APIs, Lambdas, DynamoDB and its stream, Scheduler, SQS, SES',
  });
  return { app, stack };
}
