import { users } from '../shared/composition/users.js';
import { listUsersQuerySchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { query: listUsersQuerySchema },
  async ({ principal, query }) => ({
    status: 200,
    body: await users.list(principal, query),
  }),
);
