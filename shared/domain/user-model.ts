import * as z from 'zod';
import { pageLimitSchema } from './event-model.js';
import { plainText } from './plain-text.js';
import { ROLES, type Role } from './principal.js';

const email = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase());

/** Length is what makes a password strong (NIST SP 800-63B); no composition rules. */
const password = z.string().min(8).max(128);

export const registerSchema = z.strictObject({
  email,
  password,
  name: plainText(100),
});
export type RegisterInput = z.infer<typeof registerSchema>;

export const loginSchema = z.strictObject({
  email,
  password: z.string().min(1).max(128),
});
export type LoginInput = z.infer<typeof loginSchema>;

/** Six digits, as mailed; a string, so leading zeros survive. */
export const VERIFICATION_CODE = /^\d{6}$/;

export const verifyEmailSchema = z.strictObject({
  email,
  code: z.string().regex(VERIFICATION_CODE, 'the code is the 6 digits from the email'),
});
export type VerifyEmailInput = z.infer<typeof verifyEmailSchema>;

export const resendVerificationSchema = z.strictObject({ email });

export const locationSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export type Location = z.infer<typeof locationSchema>;

export const updateMeSchema = z
  .strictObject({
    name: plainText(100).optional(),
    location: locationSchema.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type UpdateMeInput = z.infer<typeof updateMeSchema>;

export const setRolesSchema = z.strictObject({
  roles: z.array(z.enum(ROLES)).max(ROLES.length),
});

export const userIdParamsSchema = z.strictObject({ userId: z.string().min(1).max(100) });

export const listUsersQuerySchema = z.strictObject({
  limit: pageLimitSchema,
  cursor: z.string().min(1).max(2048).optional(),
});

export interface User {
  id: string;
  email: string;
  name: string;
  /** Always includes `customer`. */
  roles: Role[];
  /** Whether the user proved they receive mail at `email` (the mailed code). */
  emailVerified: boolean;
  location?: Location;
  createdAt: string;
  updatedAt: string;
}

/** Everyone is a customer; other roles come on top, in a stable order. */
export function normaliseRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((role) => role === 'customer' || roles.includes(role));
}
