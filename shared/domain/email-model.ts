import * as z from 'zod';
import { VERIFICATION_CODE } from './user-model.js';

/** What an email tells its customer; one is sent per order and kind at most. */
export type EmailKind =
  | 'order-confirmed'
  | 'hold-expired'
  | 'order-cancelled'
  | 'order-refunded'
  | 'event-cancelled'
  | 'waitlist-offer';

/** Every kind, as an enum-like object: the mapped type fails to compile when one is missing. */
export const EMAIL_KINDS = {
  'order-confirmed': 'order-confirmed',
  'hold-expired': 'hold-expired',
  'order-cancelled': 'order-cancelled',
  'order-refunded': 'order-refunded',
  'event-cancelled': 'event-cancelled',
  'waitlist-offer': 'waitlist-offer',
} as const satisfies { [K in EmailKind]: K };

/** The account's own mail: a verification code, sent once per code issued. */
export const VERIFY_EMAIL = 'verify-email';

/** Every kind the once-only marker tells apart: the order kinds and the account's. */
export type SentEmailKind = EmailKind | typeof VERIFY_EMAIL;

const id = z.string().min(1).max(100);

/**
 * The body of an email-queue message, as the email handler accepts it. A verification
 * message carries its code: only a hash of it is stored, so the mail can't be rendered
 * from the table.
 */
export const emailMessageSchema = z.discriminatedUnion('kind', [
  z.object({ orderId: id, kind: z.enum(EMAIL_KINDS) }),
  z.object({
    kind: z.literal(VERIFY_EMAIL),
    userId: id,
    codeId: id,
    code: z.string().regex(VERIFICATION_CODE),
  }),
]);
export type EmailMessage = z.infer<typeof emailMessageSchema>;
export type OrderEmailMessage = Extract<EmailMessage, { orderId: string }>;

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}
