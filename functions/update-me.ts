import { users } from '../shared/composition/users.js';
import { updateMeSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler({ body: updateMeSchema }, async ({ principal, body }) => ({
  status: 200,
  body: await users.updateMe(principal, body),
}));
