import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storedCodeFromItem, verificationCodeWrites } from '../db/entities/verification-code.js';
import { TableWriter } from '../db/transactions.js';
import type { IssuedCode, VerificationCodes } from '../domain/identity-ports.js';

const scryptAsync = promisify(scrypt) as (
  code: string,
  salt: Buffer,
  length: number,
) => Promise<Buffer>;
const HASH_BYTES = 32;

/**
 * Codes in the table (`shared/db/entities/verification-code.ts`), hashed with scrypt: a
 * million codes are quick to try against a plain hash, so a leaked table or backup would
 * hand out every live code; scrypt makes that hours per code, longer than most live.
 */
export class DynamoVerificationCodes implements VerificationCodes {
  private readonly writer: TableWriter;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.writer = new TableWriter(client, tableName);
  }

  async issue(userId: string, code: IssuedCode): Promise<void> {
    const salt = randomBytes(16);
    const hash = await scryptAsync(code.code, salt, HASH_BYTES);
    await this.writer.putIf(
      verificationCodeWrites.issue(userId, {
        codeId: code.id,
        salt,
        hash,
        expiresAt: code.expiresAt,
        tries: code.tries,
      }),
    );
  }

  async attempt(userId: string, code: string, now: Date): Promise<'match' | 'mismatch' | 'spent'> {
    // The try is spent before the comparison, so parallel guesses can't share one.
    const item = await this.writer.updateIfReturning(verificationCodeWrites.spendTry(userId, now));
    if (!item) return 'spent';
    const stored = storedCodeFromItem(item);
    const hash = await scryptAsync(code, stored.salt, HASH_BYTES);
    return timingSafeEqual(hash, stored.hash) ? 'match' : 'mismatch';
  }

  async remove(userId: string): Promise<void> {
    await this.writer.deleteIf(verificationCodeWrites.remove(userId));
  }
}
