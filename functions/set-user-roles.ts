import { SetUserRoles } from '../shared/api/routes/users.js';
import { accounts } from '../shared/composition/accounts.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(SetUserRoles, async ({ principal, params, body }) => ({
  status: 200,
  body: await accounts.setRoles(principal, params.userId, body.roles),
}));
