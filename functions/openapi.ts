import { buildOpenApiDocument } from '../shared/api/openapi.js';
import { OpenApi } from '../shared/api/routes/service.js';
import { ENV, requireEnv } from '../shared/env.js';
import { httpHandler } from '../shared/http/handler.js';

// Built once per cold start: the document only changes with a deployment.
const document = buildOpenApiDocument({ version: requireEnv(ENV.serviceVersion) });

export const handler = httpHandler(OpenApi, async () => ({ status: 200, body: document }));
