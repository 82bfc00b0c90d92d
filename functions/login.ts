import { Login } from '../shared/api/routes/auth.js';
import { accounts } from '../shared/composition/accounts.js';
import { limitLogin } from '../shared/composition/rate-limits.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(Login, async ({ body }) => ({
  status: 200,
  body: await limitLogin(body.email, () => accounts.login(body)),
  // The body is a bearer token: no cache, shared or the browser's, may keep it (RFC 6749 §5.1).
  headers: { 'cache-control': 'no-store' },
}));
