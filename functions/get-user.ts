import { GetUser } from '../shared/api/routes/users.js';
import { users } from '../shared/composition/users.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(GetUser, async ({ principal, params }) => ({
  status: 200,
  body: await users.get(principal, params.userId),
}));
