import { users } from '../shared/composition/users.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler({}, async ({ principal }) => {
  await users.logout(principal);
  return { status: 204 };
});
