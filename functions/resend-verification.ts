import { ResendVerification } from '../shared/api/routes/auth.js';
import { codeMailer } from '../shared/composition/verification.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(ResendVerification, async ({ body }) => {
  await codeMailer.resend(body.email);
  return { status: 202 };
});
