/**
 * `CREDENTIAL#<email>` / `LOCAL`: the local identity provider's salted password hash for
 * an email. Never written on AWS, where Cognito holds the credentials.
 */
import { ItemExpression } from '../expression.js';
import { userKeys } from '../table.js';
import type { PutWrite } from './writes.js';

type Item = Record<string, unknown>;

export interface LocalCredential {
  userId: string;
  salt: Buffer;
  hash: Buffer;
}

export function localCredentialFromItem(item: Item): LocalCredential {
  return {
    userId: item.userId as string,
    salt: Buffer.from(item.salt as string, 'base64'),
    hash: Buffer.from(item.hash as string, 'base64'),
  };
}

export const localCredentialWrites = {
  /** The email's credential, only if the email has none yet: one account per address. */
  insert: (email: string, credential: LocalCredential): PutWrite => ({
    Item: {
      ...userKeys.localCredential(email),
      userId: credential.userId,
      salt: credential.salt.toString('base64'),
      hash: credential.hash.toString('base64'),
    },
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  remove: (email: string) => ({ Key: userKeys.localCredential(email) }),
};
