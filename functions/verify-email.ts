import { VerifyEmail } from '../shared/api/routes/auth.js';
import { emailVerification } from '../shared/composition/accounts.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(VerifyEmail, async ({ body }) => ({
  status: 200,
  body: await emailVerification.verify(body),
}));
