import * as z from 'zod';

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

/** The body of an email-queue message (`EmailMessage`), as the email handler accepts it. */
export const emailMessageSchema = z.object({
  orderId: z.string().min(1).max(100),
  kind: z.enum(EMAIL_KINDS),
});

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}
