import type { EmailContent, EmailMessage, SentEmailKind } from './email-model.js';

export interface OutgoingEmail extends EmailContent {
  to: string;
}

export interface EmailSender {
  /** Resolves once the mail service has accepted the email. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** Hands an email to the email handler (SQS on AWS, the in-process bus locally). */
export interface EmailQueue {
  send(message: EmailMessage): Promise<void>;
}

/**
 * At most a set number of emails per recipient address per window. `take` counts one in
 * the current window with one conditional write; false when the window is full, with
 * nothing counted.
 */
export interface RecipientCap {
  take(address: string, now: Date): Promise<boolean>;
}

export interface EmailLease {
  /** Random per delivery attempt; only its holder may mark the email sent or release it. */
  id: string;
  claimedAt: string;
  expiresAt: string;
}

/**
 * The per-(ref, kind) marker, `ref` being the order (order emails) or the code (a
 * verification). `claim` is one conditional write: it succeeds when no marker exists or
 * the last claim's lease ran out without the email being marked sent.
 */
export interface SentEmailLog {
  claim(
    ref: string,
    kind: SentEmailKind,
    lease: EmailLease,
  ): Promise<'claimed' | 'sent' | 'in-flight'>;
  /** False when the lease is no longer this one's (it expired and another delivery took over). */
  markSent(
    ref: string,
    kind: SentEmailKind,
    leaseId: string,
    sent: { messageId: string; sentAt: string },
  ): Promise<boolean>;
  /** Gives up this lease so a retry can claim at once; a no-op when it is no longer held. */
  release(ref: string, kind: SentEmailKind, leaseId: string): Promise<void>;
}
