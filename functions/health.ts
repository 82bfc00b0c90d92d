import { Health } from '../shared/api/routes/service.js';
import { ENV, requireEnv } from '../shared/env.js';
import { httpHandler } from '../shared/http/handler.js';

const version = requireEnv(ENV.serviceVersion);

export const handler = httpHandler(Health, async () => ({
  status: 200,
  body: { status: 'ok', version },
}));
