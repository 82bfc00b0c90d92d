import { inject } from 'vitest';
import { LOCAL_AWS_ENV } from '../../local/dynamodb.js';

const endpoint = inject('dynamoDbEndpoint');
// The guard: integration tests talk to loopback endpoints only, never to AWS.
const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/;
if (!loopback.test(endpoint ?? '') || !loopback.test(inject('sesEndpoint') ?? '')) {
  throw new Error(`Integration tests need a local DynamoDB endpoint, got "${endpoint}"`);
}

// Set before any application module loads, as they read config at import time.
Object.assign(process.env, LOCAL_AWS_ENV, inject('identityEnv'), {
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_ENDPOINT_URL_SES: inject('sesEndpoint'),
  TABLE_NAME: inject('tableName'),
  IDEMPOTENCY_TABLE_NAME: inject('idempotencyTableName'),
  ASYNC_RUNTIME: 'local',
  SENDER_EMAIL: 'tickets@example.com',
  SES_CONFIGURATION_SET: 'integration-test-emails',
  SERVICE_VERSION: 'integration-test',
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
  // Every test file calls from 127.0.0.1 into one shared table: the per-client limits are
  // raised out of the way of tests of something else (rate-limits.test.ts sets its own).
  RATE_LIMIT_ANON: '1000000',
  RATE_LIMIT_USER: '1000000',
  RATE_LIMIT_HOLDS: '1000000',
});
