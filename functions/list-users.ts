import { ListUsers } from '../shared/api/routes/users.js';
import { users } from '../shared/composition/users.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(ListUsers, async ({ principal, query }) => ({
  status: 200,
  body: await users.list(principal, query),
}));
