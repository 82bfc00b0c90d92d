import type { Clock } from './clock.js';
import type { EmailContent, EmailKind, EmailMessage, SentEmailKind } from './email-model.js';
import type {
  EmailLease,
  EmailSender,
  OutgoingEmail,
  RecipientCap,
  SentEmailLog,
} from './email-ports.js';
import type { UserRepository } from './identity-ports.js';
import type { BusinessMetrics } from './metrics-port.js';
import { type Order, ticketCount } from './order-model.js';
import type { OrderRepository } from './order-ports.js';
import type { User } from './user-model.js';

/** SPEC caps emails per address per hour; this many unless configured otherwise. */
export const DEFAULT_EMAIL_CAP_PER_HOUR = 20;

// ---------------------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------------------

/** The five characters that matter in HTML text and quoted attributes (OWASP's list). */
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * An amount in minor units, in its currency: the currency's own number of decimals
 * (USD 2, JPY 0, KWD 3), as Intl knows them. An unknown code falls back to two decimals.
 */
export function formatAmount(amountMinor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amountMinor / 10 ** decimals);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

/** User-controlled text goes on one line: no line breaks in a subject, however it was entered. */
const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim();

interface Draft {
  subject: string;
  /** What happened, in plain text; the HTML part escapes it. */
  lead: string;
  closing: string;
}

interface Facts {
  event: string;
  amount: string;
  tickets: string;
}

const drafts: { [K in EmailKind]: (order: Order, facts: Facts) => Draft } = {
  'order-confirmed': (_order, { event, amount, tickets }) => ({
    subject: `Your tickets for ${event} are confirmed`,
    lead: `Thank you for your order. We received your payment of ${amount} and your ${tickets} for ${event} are confirmed.`,
    closing: 'Keep this email: the order id is your reference at the venue and for support.',
  }),
  'hold-expired': (_order, { event, tickets }) => ({
    subject: `Your hold for ${event} has expired`,
    lead: `Your hold on ${tickets} for ${event} ran out before it was paid, so the tickets went back on sale.`,
    closing: 'You have not been charged. If tickets are still available, you can order again.',
  }),
  'order-cancelled': (_order, { event, tickets }) => ({
    subject: `Your order for ${event} is cancelled`,
    lead: `Your order of ${tickets} for ${event} has been cancelled and the tickets released.`,
    closing: 'You have not been charged.',
  }),
  'order-refunded': (_order, { event, amount }) => ({
    subject: `Your order for ${event} has been refunded`,
    lead: `Your order for ${event} has been cancelled and ${amount} refunded to your original payment method.`,
    closing: 'Refunds usually show on your statement within 5–10 business days.',
  }),
  'event-cancelled': (order, { event, amount }) => ({
    subject: `${event} has been cancelled`,
    lead: `We are sorry: the organizer has cancelled ${event}.`,
    closing:
      order.paidAt !== undefined
        ? `Your payment of ${amount} has been refunded to your original payment method.`
        : 'Your hold has been released; you have not been charged.',
  }),
  'waitlist-offer': (order, { event, amount, tickets }) => ({
    subject: `Tickets for ${event} are waiting for you`,
    lead: `Good news: ${tickets} for ${event} became available and we are holding them for you, ahead of anyone else, until ${offerLapse(order.expiresAt)}.`,
    closing: `Pay ${amount} for order ${order.id} before then to keep them; after that they go to the next person in line.`,
  }),
};

/** When an offer lapses, in UTC and unambiguous whatever the reader's locale. */
const offerLapse = (expiresAt: string): string =>
  `${new Date(expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Subject, plain text and HTML of one email about one order. */
export function renderEmail(kind: EmailKind, order: Order): EmailContent {
  const count = ticketCount(order);
  const facts: Facts = {
    event: oneLine(order.eventName),
    amount: formatAmount(order.amountCents, order.currency),
    tickets: `${count} ${count === 1 ? 'ticket' : 'tickets'}`,
  };
  const draft = drafts[kind](order, facts);
  const name = oneLine(order.customer.name);
  const greeting = name === '' ? 'Hello,' : `Hi ${name},`;
  const seats = order.items.flatMap((item) => item.seatIds ?? []);
  const details: [string, string][] = [
    ['Event', facts.event],
    ['Order', order.id],
    ['Tickets', String(count)],
    // The seats are what a reserved-seating customer shows at the door.
    ...(seats.length > 0 ? [['Seats', seats.join(', ')] as [string, string]] : []),
    ['Amount', facts.amount],
  ];

  const text = [
    greeting,
    '',
    draft.lead,
    '',
    ...details.map(([label, value]) => `${label}: ${value}`),
    '',
    draft.closing,
    '',
  ].join('\n');

  // Every value is escaped here, in one place, whatever it holds.
  const rows = details
    .map(([label, value]) => `<tr><th align="left">${label}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(draft.lead)}</p>`,
    `<table cellpadding="4">${rows}</table>`,
    `<p>${escapeHtml(draft.closing)}</p>`,
    '</body></html>',
  ].join('\n');

  return { subject: draft.subject, text, html };
}

/** Hours a verification code lives; the mail says so. */
export const VERIFICATION_CODE_HOURS = 24;

/** The verification code mail: the code alone stands out, nothing to click. */
export function renderVerificationEmail(user: Pick<User, 'name'>, code: string): EmailContent {
  const name = oneLine(user.name);
  const greeting = name === '' ? 'Hello,' : `Hi ${name},`;
  const lead = 'Enter this code to confirm your email address:';
  const closing = `The code works for ${VERIFICATION_CODE_HOURS} hours. If you did not sign up, ignore this email.`;
  const text = [greeting, '', lead, '', code, '', closing, ''].join('\n');
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(lead)}</p>`,
    `<p style="font-size: 1.5em; letter-spacing: 0.2em"><strong>${escapeHtml(code)}</strong></p>`,
    `<p>${escapeHtml(closing)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: 'Confirm your email address', text, html };
}

// ---------------------------------------------------------------------------------------
// Delivery: exactly once per (order, kind), or per verification code
// ---------------------------------------------------------------------------------------

/** Another delivery of the same email holds a live lease: retry later (SQS does). */
export class EmailDeliveryInProgress extends Error {
  constructor(ref: string, kind: SentEmailKind) {
    super(`The ${kind} email for ${ref} is being sent by another delivery`);
    this.name = 'EmailDeliveryInProgress';
  }
}

/**
 * `not-found`: the order or user is gone (an order never reappears: its outbox message
 * commits with it). `capped`: the recipient has had their hour's share of emails; the
 * email is dropped, not retried.
 */
export type DeliveryOutcome = 'sent' | 'already-sent' | 'not-found' | 'capped';

/**
 * Longer than the email Lambda's timeout (30 s), so a lease only runs out when its holder
 * is gone, and shorter than the queue's visibility timeout (180 s), so the retry of a
 * delivery that found the lease live can take over from a holder that crashed.
 */
export const DEFAULT_LEASE_MS = 2 * 60_000;

export interface EmailServiceDeps {
  orders: Pick<OrderRepository, 'get'>;
  users: Pick<UserRepository, 'get'>;
  log: SentEmailLog;
  cap: RecipientCap;
  sender: EmailSender;
  clock: Clock;
  newLeaseId: () => string;
  leaseMs?: number;
  /** Failures after the email went out, that a retry could only make worse: logged, not thrown. */
  onRecoverableError: (message: string, error: unknown) => void;
  metrics: BusinessMetrics;
}

export class EmailService {
  private readonly leaseMs: number;

  constructor(private readonly deps: EmailServiceDeps) {
    this.leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /**
   * Sends the message's email at most once, however often and however concurrently the
   * message is delivered (once per order and kind, or once per verification code):
   *
   * 1. claim the marker (status SENDING, a lease until now + leaseMs) with one
   *    conditional write; a marker that is SENT ends the delivery ('already-sent'),
   *    a live lease of another delivery throws `EmailDeliveryInProgress` (retry later);
   * 2. count it against the recipient's cap; over the cap, release the claim and drop it
   *    ('capped'). After the claim, so a redelivery of a sent email costs no share;
   * 3. send; when the mail service refuses, release the claim and throw (retry);
   * 4. mark the marker SENT, conditional on still holding the lease.
   *
   * The window left: a crash (or timeout) after the mail service accepted the email and
   * before step 4 leaves a SENDING marker; once its lease runs out, a redelivery sends the
   * email again — at most one duplicate per expired lease, and only if the message comes
   * back. Marking failures are therefore logged, never thrown: a retry could only resend.
   */
  async deliver(message: EmailMessage): Promise<DeliveryOutcome> {
    const prepared = await this.prepare(message);
    if (!prepared) return 'not-found';
    const { ref, kind, email } = prepared;

    const now = this.deps.clock.now();
    const lease: EmailLease = {
      id: this.deps.newLeaseId(),
      claimedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.leaseMs).toISOString(),
    };
    const claim = await this.deps.log.claim(ref, kind, lease);
    if (claim === 'sent') return 'already-sent';
    if (claim === 'in-flight') throw new EmailDeliveryInProgress(ref, kind);

    if (!(await this.deps.cap.take(email.to, now))) {
      await this.release(ref, kind, lease.id);
      this.deps.metrics.count('EmailsCapped');
      return 'capped';
    }

    let messageId: string;
    try {
      ({ messageId } = await this.deps.sender.send(email));
    } catch (error) {
      this.deps.metrics.count('EmailsFailed');
      await this.release(ref, kind, lease.id);
      throw error;
    }

    this.deps.metrics.count('EmailsSent');
    try {
      const sentAt = this.deps.clock.now().toISOString();
      if (!(await this.deps.log.markSent(ref, kind, lease.id, { messageId, sentAt }))) {
        this.deps.onRecoverableError(
          'Email sent after its lease ran out; another delivery may have sent it too',
          new Error(`${kind} for ${ref}, message ${messageId}`),
        );
      }
    } catch (error) {
      this.deps.onRecoverableError('Email sent but not marked as sent', error);
    }
    return 'sent';
  }

  /** The marker's ref and the email itself, or null when its order or user is gone. */
  private async prepare(
    message: EmailMessage,
  ): Promise<{ ref: string; kind: SentEmailKind; email: OutgoingEmail } | null> {
    if (message.kind === 'verify-email') {
      const user = await this.deps.users.get(message.userId);
      if (!user) return null;
      const content = renderVerificationEmail(user, message.code);
      return { ref: message.codeId, kind: message.kind, email: { to: user.email, ...content } };
    }
    const order = await this.deps.orders.get(message.orderId);
    if (!order) return null;
    const content = renderEmail(message.kind, order);
    return { ref: order.id, kind: message.kind, email: { to: order.customer.email, ...content } };
  }

  private async release(ref: string, kind: SentEmailKind, leaseId: string): Promise<void> {
    try {
      await this.deps.log.release(ref, kind, leaseId);
    } catch (error) {
      // The lease runs out on its own; a retry just waits for it.
      this.deps.onRecoverableError('Could not release an email claim', error);
    }
  }
}
