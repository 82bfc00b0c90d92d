import { healthSchema, openApiDocumentSchema } from '../responses.js';

import { defineRoute, READ_THROTTLE } from '../route-record.js';

// Liveness and the contract itself. Each record is all there is to know of a route: how it is deployed
// and guarded, what it takes and answers, and an example.

export const Health = defineRoute({
  id: 'Health',
  method: 'GET',
  path: '/health',
  handler: 'health',
  access: 'public',
  throttle: READ_THROTTLE,
  tag: 'Health',
  summary: 'Liveness and deployed version',
  request: {},
  example: {},
  success: { status: 200, description: 'The service is up', schema: healthSchema },
  errors: [],
});

export const OpenApi = defineRoute({
  id: 'OpenApi',
  method: 'GET',
  path: '/openapi.json',
  handler: 'openapi',
  access: 'public',
  throttle: READ_THROTTLE,
  tag: 'Docs',
  summary: 'This OpenAPI document',
  request: {},
  example: {},
  success: { status: 200, description: 'OpenAPI 3.1', schema: openApiDocumentSchema },
  errors: [],
});
