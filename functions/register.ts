import { accounts } from '../shared/composition/accounts.js';
import { registerSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler({ body: registerSchema }, async ({ body }) => {
  const { id, email, name, roles } = await accounts.register(body);
  return { status: 201, body: { id, email, name, roles } };
});
