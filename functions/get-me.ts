import { GetMe } from '../shared/api/routes/users.js';
import { users } from '../shared/composition/users.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(GetMe, async ({ principal }) => ({
  status: 200,
  body: await users.me(principal),
}));
