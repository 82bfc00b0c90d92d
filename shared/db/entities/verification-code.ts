/**
 * `USER#<id>` / `EMAIL_CODE`: the user's one live email-verification code, as a salted
 * hash, with its expiry and the tries it has left. A new code overwrites it.
 */
import { ItemExpression } from '../expression.js';
import { table, userKeys } from '../table.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;

/** DynamoDB's TTL deletes within days: a day of slack, the expiry itself is checked on use. */
const TTL_SLACK_SECONDS = 86_400;

export interface StoredCode {
  codeId: string;
  salt: Buffer;
  hash: Buffer;
  expiresAt: Date;
  tries: number;
}

export function storedCodeFromItem(item: Item): Pick<StoredCode, 'salt' | 'hash'> {
  return {
    salt: Buffer.from(item.salt as string, 'base64'),
    hash: Buffer.from(item.hash as string, 'base64'),
  };
}

export const verificationCodeWrites = {
  /** Unconditional: the newest code replaces any earlier one, tries and all. */
  issue: (userId: string, code: StoredCode): PutWrite => ({
    Item: {
      ...userKeys.verificationCode(userId),
      entity: 'VerificationCode',
      codeId: code.codeId,
      salt: code.salt.toString('base64'),
      hash: code.hash.toString('base64'),
      expiresAt: code.expiresAt.toISOString(),
      triesLeft: code.tries,
      [table.timeToLiveAttribute]: Math.ceil(code.expiresAt.getTime() / 1000) + TTL_SLACK_SECONDS,
    },
  }),

  /** Spends one try, only while the code lives and has one left. */
  spendTry: (userId: string, now: Date): UpdateWrite => ({
    Key: userKeys.verificationCode(userId),
    ...new ItemExpression()
      .whenPresent()
      .compare('triesLeft', '>', 0)
      .compare('expiresAt', '>', now.toISOString())
      .add('triesLeft', -1)
      .toUpdate(),
  }),

  remove: (userId: string) => ({ Key: userKeys.verificationCode(userId) }),
};
