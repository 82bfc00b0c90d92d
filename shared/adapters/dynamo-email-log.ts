import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sentEmailWrites } from '../db/entities/sent-email.js';
import { TableWriter } from '../db/transactions.js';
import type { SentEmailKind } from '../domain/email-model.js';
import type { EmailLease, SentEmailLog } from '../domain/email-ports.js';

/**
 * The `SENT#<ref>#<kind>` marker (`shared/db/entities/sent-email.ts`): one delivery
 * at a time holds a lease on sending the email, and SENT stays for good once it has.
 * Markers are kept, so a message redriven from the DLQ days later still finds SENT.
 */
export class DynamoEmailLog implements SentEmailLog {
  private readonly writer: TableWriter;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.writer = new TableWriter(client, tableName);
  }

  async claim(
    ref: string,
    kind: SentEmailKind,
    lease: EmailLease,
  ): Promise<'claimed' | 'sent' | 'in-flight'> {
    const outcome = await this.writer.putIf(sentEmailWrites.claim(ref, kind, lease), {
      returnItemOnFailure: true,
    });
    if (outcome.ok) return 'claimed';
    // No item back should not happen; a live lease is the answer that is safe to retry.
    return outcome.item?.status === 'SENT' ? 'sent' : 'in-flight';
  }

  markSent(
    ref: string,
    kind: SentEmailKind,
    leaseId: string,
    sent: { messageId: string; sentAt: string },
  ): Promise<boolean> {
    return this.writer.updateIf(sentEmailWrites.markSent(ref, kind, leaseId, sent));
  }

  async release(ref: string, kind: SentEmailKind, leaseId: string): Promise<void> {
    // False when it is someone else's lease now, or gone: nothing of ours to give up.
    await this.writer.deleteIf(sentEmailWrites.release(ref, kind, leaseId));
  }
}
