import { users } from '../shared/composition/users.js';
import { userIdParamsSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: userIdParamsSchema },
  async ({ principal, params }) => ({
    status: 200,
    body: await users.get(principal, params.userId),
  }),
);
