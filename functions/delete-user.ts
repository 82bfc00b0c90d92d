import { DeleteUser } from '../shared/api/routes/users.js';
import { accounts } from '../shared/composition/accounts.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(DeleteUser, async ({ principal, params }) => {
  await accounts.delete(principal, params.userId);
  return { status: 204 };
});
