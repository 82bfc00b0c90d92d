import { NotReady } from '../../domain/errors.js';
import { healthSchema, openApiDocumentSchema, readinessSchema } from '../responses.js';

import { defineRoute, READ_THROTTLE } from '../route-record.js';

// Liveness, readiness and the contract itself. Each record is all there is to know of a route: how it is deployed
// and guarded, what it takes and answers, and an example.

export const Health = defineRoute({
  id: 'Health',
  method: 'GET',
  path: '/health',
  handler: 'health',
  access: 'public',
  throttle: READ_THROTTLE,
  perClientLimit: false,
  tag: 'Health',
  summary: 'Liveness and deployed version',
  request: {},
  example: {},
  success: { status: 200, description: 'The service is up', schema: healthSchema },
  errors: [],
});

export const HealthReady = defineRoute({
  id: 'HealthReady',
  method: 'GET',
  path: '/health/ready',
  handler: 'health-ready',
  access: 'public',
  // GetItem of the one probe key and GetQueueAttributes on the email queue, nothing else.
  table: 'probe',
  uses: ['emailQueueProbe'],
  throttle: READ_THROTTLE,
  perClientLimit: false,
  tag: 'Health',
  summary: 'Readiness: every dependency answers',
  description:
    'Checks the table (a strongly consistent read) and the email queue (its attributes) at once, each within 1 s. Any that fails or is late makes the answer 503 `NOT_READY`, naming it at `checks.<name>` in `errors`.',
  request: {},
  example: {},
  success: { status: 200, description: 'Every dependency answered', schema: readinessSchema },
  errors: [NotReady],
});

export const OpenApi = defineRoute({
  id: 'OpenApi',
  method: 'GET',
  path: '/openapi.json',
  handler: 'openapi',
  access: 'public',
  throttle: READ_THROTTLE,
  perClientLimit: false,
  tag: 'Docs',
  summary: 'This OpenAPI document',
  request: {},
  example: {},
  success: { status: 200, description: 'OpenAPI 3.1', schema: openApiDocumentSchema },
  errors: [],
});
