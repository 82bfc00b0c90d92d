import * as z from 'zod';
import { ConcurrentModification, EmailTaken, Unauthenticated } from '../../domain/errors.js';
import {
  loginSchema,
  registerSchema,
  resendVerificationSchema,
  verifyEmailSchema,
} from '../../domain/user-model.js';
import { emailVerifiedSchema, loginTokenSchema, registeredUserSchema } from '../responses.js';

import { CREDENTIAL_THROTTLE, DEFAULT_THROTTLE, defineRoute } from '../route-record.js';

// Sign-up, sign-in and sign-out. Each record is all there is to know of a route: how it is deployed
// and guarded, what it takes and answers, and an example.

export const Register = defineRoute({
  id: 'Register',
  method: 'POST',
  path: '/v1/auth/register',
  handler: 'register',
  access: 'public',
  table: 'write',
  // deleteUser undoes a sign-up whose profile could not be written.
  identity: ['createUser', 'deleteUser'],
  // The verification code's mail.
  uses: ['emailQueue'],
  throttle: CREDENTIAL_THROTTLE,
  tag: 'Auth',
  summary: 'Sign up; every new user is a customer',
  description: 'Mails a 6-digit code to the address (`POST /v1/auth/verify-email` takes it).',
  request: { body: registerSchema },
  example: { body: { email: 'ada@example.com', password: 'correct horse battery', name: 'Ada' } },
  success: { status: 201, description: 'Registered', schema: registeredUserSchema },
  errors: [EmailTaken, ConcurrentModification],
});

export const Login = defineRoute({
  id: 'Login',
  method: 'POST',
  path: '/v1/auth/login',
  handler: 'login',
  access: 'public',
  // The local identity provider keeps credentials in the table; Cognito does not need it.
  table: 'read',
  identity: ['authenticate'],
  throttle: CREDENTIAL_THROTTLE,
  tag: 'Auth',
  summary: 'Exchange email and password for an access token',
  request: { body: loginSchema },
  example: { body: { email: 'ada@example.com', password: 'correct horse battery' } },
  success: {
    status: 200,
    description: 'Signed in',
    schema: loginTokenSchema,
    headers: z.object({
      'Cache-Control': z
        .literal('no-store')
        .meta({ description: 'The token must not be kept by any cache.' }),
    }),
  },
  // Wrong email or password, without saying which.
  errors: [Unauthenticated],
});

export const Logout = defineRoute({
  id: 'Logout',
  method: 'POST',
  path: '/v1/auth/logout',
  handler: 'logout',
  access: 'customer',
  table: 'write',
  identity: ['signOut'],
  throttle: DEFAULT_THROTTLE,
  tag: 'Auth',
  summary: 'Revoke the presented access token',
  request: {},
  example: {},
  success: { status: 204, description: 'The token is rejected from now on' },
  errors: [],
});

export const VerifyEmail = defineRoute({
  id: 'VerifyEmail',
  method: 'POST',
  path: '/v1/auth/verify-email',
  handler: 'verify-email',
  access: 'public',
  // Spends a try of the code, then marks the profile verified.
  table: 'write',
  identity: ['markEmailVerified'],
  throttle: CREDENTIAL_THROTTLE,
  tag: 'Auth',
  summary: 'Confirm the email address with the code mailed to it',
  description:
    'A wrong, expired or unknown code is 400 `VALIDATION_FAILED` at `body.code`. Each code ' +
    'takes 5 tries, then only a new one (resend) works; a code lives 24 hours.',
  request: { body: verifyEmailSchema },
  example: { body: { email: 'ada@example.com', code: '042137' } },
  success: { status: 200, description: 'The address is verified', schema: emailVerifiedSchema },
  // A refused code is VALIDATION_FAILED, which every route with a body documents.
  errors: [],
});

export const ResendVerification = defineRoute({
  id: 'ResendVerification',
  method: 'POST',
  path: '/v1/auth/verify-email/resend',
  handler: 'resend-verification',
  access: 'public',
  // Replaces the user's code with a new one.
  table: 'write',
  uses: ['emailQueue'],
  throttle: CREDENTIAL_THROTTLE,
  tag: 'Auth',
  summary: 'Mail a new verification code; the previous one stops working',
  description:
    'Answers 202 whether or not the address belongs to an unverified account, so it reveals ' +
    'none; only such an account is mailed.',
  request: { body: resendVerificationSchema },
  example: { body: { email: 'ada@example.com' } },
  success: { status: 202, description: 'A code is on its way if the address awaits one' },
  errors: [],
});
