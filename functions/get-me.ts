import { users } from '../shared/composition/users.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler({}, async ({ principal }) => ({
  status: 200,
  body: await users.me(principal),
}));
