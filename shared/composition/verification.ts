import { randomInt } from 'node:crypto';
import { ulid } from 'ulid';
import { DynamoVerificationCodes } from '../adapters/dynamo-verification-codes.js';
import { systemClock } from '../domain/clock.js';
import { EmailVerification } from '../domain/email-verification.js';
import type { IdentityProvider } from '../domain/identity-ports.js';
import { documentClient, tableName } from './dynamodb.js';
import { emailQueue, lacking } from './email-queue.js';
import { userRepository } from './users.js';

const codes = new DynamoVerificationCodes(documentClient, tableName);

/** Six digits, uniformly from the CSPRNG, leading zeros kept. */
const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** Email verification, recording verified addresses in this identity provider. */
export function emailVerificationWith(
  identity: Pick<IdentityProvider, 'markEmailVerified'>,
): EmailVerification {
  return new EmailVerification({
    users: userRepository,
    codes,
    identity,
    queue: emailQueue,
    clock: systemClock,
    newCode,
    newId: ulid,
  });
}

/**
 * For the resend route, which only mails codes: it is given no identity-provider access,
 * and this says so loudly should it ever try.
 */
export const codeMailer = emailVerificationWith({
  markEmailVerified: async () => lacking('mark emails verified in the identity provider'),
});
