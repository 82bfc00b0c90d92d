import { accounts } from '../shared/composition/accounts.js';
import { loginSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler({ body: loginSchema }, async ({ body }) => ({
  status: 200,
  body: await accounts.login(body),
  // The body is a bearer token: no cache, shared or the browser's, may keep it (RFC 6749 §5.1).
  headers: { 'cache-control': 'no-store' },
}));
