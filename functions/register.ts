import { Register } from '../shared/api/routes/auth.js';
import { accounts } from '../shared/composition/accounts.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(Register, async ({ body }) => {
  const { id, email, name, roles, emailVerified } = await accounts.register(body);
  return { status: 201, body: { id, email, name, roles, emailVerified } };
});
