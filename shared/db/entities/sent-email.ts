/**
 * `SENT#<ref>#<kind>` / `EMAIL`: SENDING with a lease while one delivery sends the email,
 * SENT (with the mail service's message id) for good once it has. `ref` is the order, or
 * the verification code's id.
 */
import type { SentEmailKind } from '../../domain/email-model.js';
import type { EmailLease } from '../../domain/email-ports.js';
import { ItemExpression } from '../expression.js';
import { emailKeys, table } from '../table.js';
import type { PutWrite, UpdateWrite } from './writes.js';

/** Every write but the claim is only by the lease's holder, while it is still SENDING. */
function heldBy(leaseId: string): ItemExpression {
  return new ItemExpression().compare('status', '=', 'SENDING').compare('leaseId', '=', leaseId);
}

export const sentEmailWrites = {
  /** A lease on sending, only if there is no marker yet or the last lease has run out. */
  claim: (ref: string, kind: SentEmailKind, lease: EmailLease): PutWrite => {
    const claim = new ItemExpression();
    // ISO times of one format compare correctly as strings.
    claim.when(
      `attribute_not_exists(${claim.path(table.partitionKey)}) OR ` +
        `(${claim.path('status')} = ${claim.value('SENDING')} AND ` +
        `${claim.path('leaseExpiresAt')} <= ${claim.value(lease.claimedAt)})`,
    );
    return {
      Item: {
        ...emailKeys.sent(ref, kind),
        entity: 'SentEmail',
        ref,
        kind,
        status: 'SENDING',
        leaseId: lease.id,
        claimedAt: lease.claimedAt,
        leaseExpiresAt: lease.expiresAt,
      },
      ...claim.toCondition(),
    };
  },

  /** SENDING → SENT for good, by the lease's holder. */
  markSent: (
    ref: string,
    kind: SentEmailKind,
    leaseId: string,
    sent: { messageId: string; sentAt: string },
  ): UpdateWrite => ({
    Key: emailKeys.sent(ref, kind),
    ...heldBy(leaseId)
      .set('status', 'SENT')
      .set('sentAt', sent.sentAt)
      .set('messageId', sent.messageId)
      .remove('leaseExpiresAt')
      .toUpdate(),
  }),

  /** Gives the lease up, so the next delivery may send. */
  release: (ref: string, kind: SentEmailKind, leaseId: string) => ({
    Key: emailKeys.sent(ref, kind),
    ...heldBy(leaseId).toCondition(),
  }),
};
