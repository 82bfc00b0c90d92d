import { accounts } from '../shared/composition/accounts.js';
import { setRolesSchema, userIdParamsSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: userIdParamsSchema, body: setRolesSchema },
  async ({ principal, params, body }) => ({
    status: 200,
    body: await accounts.setRoles(principal, params.userId, body.roles),
  }),
);
