import { UpdateMe } from '../shared/api/routes/users.js';
import { users } from '../shared/composition/users.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(UpdateMe, async ({ principal, body }) => ({
  status: 200,
  body: await users.updateMe(principal, body),
}));
