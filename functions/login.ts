import { accounts } from '../shared/composition/accounts.js';
import { loginSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler({ body: loginSchema }, async ({ body }) => ({
  status: 200,
  body: await accounts.login(body),
}));
