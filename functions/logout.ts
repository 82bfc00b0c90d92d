import { Logout } from '../shared/api/routes/auth.js';
import { accounts } from '../shared/composition/accounts.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(Logout, async ({ principal, headers }) => {
  // The authorizer accepted this header, so it holds a bearer token.
  const accessToken = (headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
  await accounts.logout(principal, accessToken);
  return { status: 204 };
});
