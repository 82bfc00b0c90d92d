import * as z from 'zod';
import { ConcurrentModification, EmailTaken, Unauthenticated } from '../../domain/errors.js';
import { loginSchema, registerSchema } from '../../domain/user-model.js';
import { loginTokenSchema, registeredUserSchema } from '../responses.js';

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
  throttle: CREDENTIAL_THROTTLE,
  tag: 'Auth',
  summary: 'Sign up; every new user is a customer',
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
