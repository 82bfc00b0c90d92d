import { ENV, requireEnv } from '../shared/env.js';
import { httpHandler } from '../shared/http/handler.js';

const version = requireEnv(ENV.serviceVersion);

export const handler = httpHandler({}, async () => ({
  status: 200,
  body: { status: 'ok', version },
}));
