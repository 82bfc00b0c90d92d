import type { EmailContent, EmailKind } from './email-model.js';

export interface OutgoingEmail extends EmailContent {
  to: string;
}

export interface EmailSender {
  /** Resolves once the mail service has accepted the email. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export interface EmailLease {
  /** Random per delivery attempt; only its holder may mark the email sent or release it. */
  id: string;
  claimedAt: string;
  expiresAt: string;
}

/**
 * The per-(order, kind) marker. `claim` is one conditional write: it succeeds when no
 * marker exists or the last claim's lease ran out without the email being marked sent.
 */
export interface SentEmailLog {
  claim(
    orderId: string,
    kind: EmailKind,
    lease: EmailLease,
  ): Promise<'claimed' | 'sent' | 'in-flight'>;
  /** False when the lease is no longer this one's (it expired and another delivery took over). */
  markSent(
    orderId: string,
    kind: EmailKind,
    leaseId: string,
    sent: { messageId: string; sentAt: string },
  ): Promise<boolean>;
  /** Gives up this lease so a retry can claim at once; a no-op when it is no longer held. */
  release(orderId: string, kind: EmailKind, leaseId: string): Promise<void>;
}
