import 'aws-sdk-client-mock-vitest/extend';

// Unit tests mock every AWS client; these values only satisfy the config checks.
process.env.TABLE_NAME = 'unit-test-table';
process.env.SERVICE_VERSION = 'unit-test';
process.env.AWS_REGION = 'us-east-1';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// business-metrics.test.ts turns them back on to read what is emitted.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.IDENTITY_PROVIDER = 'cognito';
process.env.USER_POOL_ID = 'us-east-1_unitTest';
process.env.USER_POOL_CLIENT_ID = 'unit-test-client';
process.env.TOKEN_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_unitTest';
process.env.TOKEN_JWKS_URI =
  'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_unitTest/.well-known/jwks.json';
process.env.ASYNC_RUNTIME = 'aws';
process.env.SCHEDULE_GROUP_NAME = 'unit-test-holds';
process.env.EXPIRY_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:expire-hold';
process.env.SCHEDULER_ROLE_ARN = 'arn:aws:iam::000000000000:role/scheduler';
process.env.SCHEDULER_DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:scheduler-dlq';
process.env.EMAIL_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/emails';
process.env.SENDER_EMAIL = 'tickets@example.com';
process.env.SES_CONFIGURATION_SET = 'unit-test-emails';
process.env.IDEMPOTENCY_TABLE_NAME = 'unit-test-idempotency';
process.env.LIVE_CONNECTIONS_ENDPOINT =
  'https://live-unit.execute-api.us-east-1.amazonaws.com/live';
// Handler tests count table calls; the per-client limiter's own write would be in each.
// Its tests (client-limits.test.ts) switch it back on.
process.env.RATE_LIMITS = 'off';
// Handler tests mock the table per test; a memo of event reads would carry one test's
// answer into the next. recent-reads.test.ts builds its own.
process.env.EVENT_READ_MEMO_MS = '0';
