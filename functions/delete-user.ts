import { accounts } from '../shared/composition/accounts.js';
import { userIdParamsSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: userIdParamsSchema },
  async ({ principal, params }) => {
    await accounts.delete(principal, params.userId);
    return { status: 204 };
  },
);
