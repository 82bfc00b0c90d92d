import * as z from 'zod';
import type { EmailKind } from './email-model.js';
import { isoDateTime, LIMITS, pageLimitSchema } from './event-model.js';
import { seatIdSchema, sectionName } from './seating-model.js';

export const ORDER_STATUSES = ['HELD', 'CONFIRMED', 'EXPIRED', 'CANCELLED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * PAYING is internal: a HELD order whose capture is under way. It keeps the expiry
 * job off the order while the gateway charges; clients see it as HELD. REFUNDING is
 * its mirror: a CONFIRMED order whose refund one caller has claimed, so the gateway is
 * asked once however many cancels race; clients see it as CONFIRMED until the money
 * is back.
 */
export type StoredOrderStatus = OrderStatus | 'PAYING' | 'REFUNDING';

const quantity = z.int().min(1).max(LIMITS.maxTicketsPerOrder.max);

const holdByCountSchema = z
  .strictObject({
    items: z
      .array(z.strictObject({ ticketTypeId: z.string().min(1).max(100), quantity }))
      .min(1)
      .max(LIMITS.ticketTypesPerEvent),
  })
  .refine(
    (body) => new Set(body.items.map((item) => item.ticketTypeId)).size === body.items.length,
    { message: 'each ticket type may appear once', path: ['items'] },
  );

const holdBySeatSchema = z
  .strictObject({
    seatIds: z
      .array(seatIdSchema)
      .min(1)
      .max(LIMITS.seatsPerOrder)
      .meta({ description: 'Seat ids as the seat map lists them, e.g. `Stalls-A-12`' }),
  })
  .refine((body) => new Set(body.seatIds).size === body.seatIds.length, {
    message: 'each seat may appear once',
    path: ['seatIds'],
  });

const holdBestAvailableSchema = z.strictObject({
  bestAvailable: z.strictObject({
    ticketTypeId: z.string().min(1).max(100).meta({ description: 'A seated ticket type' }),
    quantity: z.int().min(1).max(Math.min(LIMITS.maxTicketsPerOrder.max, LIMITS.seatsPerOrder)),
    section: sectionName.optional().meta({ description: 'Only seats of this section' }),
  }),
});

/**
 * Tickets by count of unseated types, seats by id, or the best seats the server can find:
 * one form per order.
 */
export const holdSchema = z.union([holdByCountSchema, holdBySeatSchema, holdBestAvailableSchema]);
export type HoldInput = z.infer<typeof holdSchema>;

/**
 * The hold's headers, by the lower-case names the HTTP layer hands on. The key is stored
 * with each idempotency record, so it is bounded; visible ASCII covers UUIDs, ULIDs and
 * the like, and leaves out what proxies might fold or re-encode.
 */
export const holdHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7E]{1,255}$/, 'must be 1 to 255 visible ASCII characters, no spaces')
    .optional()
    .meta({
      description:
        'Idempotency-Key: scoped to the caller, kept 24 hours; 1–255 visible ASCII characters. ' +
        'Same key and body: the first response again; same key, other body: 422; same key ' +
        'still in flight: 409.',
    }),
});

export const payBodySchema = z.strictObject({ paymentToken: z.string().min(1).max(200) });

export const orderIdParamsSchema = z.strictObject({ orderId: z.string().min(1).max(100) });

const page = {
  limit: pageLimitSchema,
  cursor: z.string().min(1).max(2048).optional(),
};

/**
 * An event's orders, or one customer's across events. Never all orders at once: that
 * would need an index partition every hold writes to, hot under load.
 */
export const listOrdersQuerySchema = z
  .strictObject({
    eventId: z.string().min(1).max(100).optional(),
    status: z.enum(ORDER_STATUSES).optional(),
    customerEmail: z
      .email()
      .max(254)
      .transform((value) => value.toLowerCase())
      .optional(),
    createdFrom: isoDateTime.optional().meta({ description: 'Orders created at or after this' }),
    createdTo: isoDateTime.optional().meta({ description: 'Orders created at or before this' }),
    ...page,
  })
  .refine((query) => query.eventId !== undefined || query.customerEmail !== undefined, {
    message: 'give eventId or customerEmail',
    path: ['eventId'],
  })
  .refine(
    (query) => !query.createdFrom || !query.createdTo || query.createdFrom <= query.createdTo,
    {
      message: '`createdFrom` must not be after `createdTo`',
      path: ['createdFrom'],
    },
  );
export type ListOrdersQuery = z.infer<typeof listOrdersQuerySchema>;

export const myOrdersQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  ...page,
});
export type MyOrdersQuery = z.infer<typeof myOrdersQuerySchema>;

export interface OrderItem {
  ticketTypeId: string;
  quantity: number;
  /** The price when the hold was taken; what the order costs whatever happens later. */
  unitPriceCents: number;
  /** A seated item's seats, `quantity` of them, in the order the customer asked for them. */
  seatIds?: string[];
}

export interface Order {
  id: string;
  eventId: string;
  /** Kept on the order for emails and lists, which then need no event read. */
  eventName: string;
  /** Kept on the order so access checks need no event read. */
  organizerId: string;
  customer: { userId: string; email: string; name: string };
  items: OrderItem[];
  amountCents: number;
  currency: string;
  status: StoredOrderStatus;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  paidAt?: string;
  paymentId?: string;
  /** Only while PAYING: lets the sweep finish a capture interrupted by a crash. */
  paymentToken?: string;
  cancelledAt?: string;
  /** Only while REFUNDING: the email that tells the customer once the refund is done. */
  refundEmail?: EmailKind;
}

/** A money step under way: its own caller or the sweep moves it on, nobody else. */
export const isInFlight = (order: Pick<Order, 'status'>): boolean =>
  order.status === 'PAYING' || order.status === 'REFUNDING';

export const ticketCount = (order: Pick<Order, 'items'>): number =>
  order.items.reduce((sum, item) => sum + item.quantity, 0);

/** SPEC: a HELD order past `expiresAt` is EXPIRED in every read, swept or not. */
export function effectiveStatus(order: Order, now: Date): OrderStatus {
  if (order.status === 'PAYING') return 'HELD';
  if (order.status === 'REFUNDING') return 'CONFIRMED';
  if (order.status === 'HELD' && order.expiresAt <= now.toISOString()) return 'EXPIRED';
  return order.status;
}

export interface OrderView
  extends Omit<Order, 'organizerId' | 'status' | 'paymentId' | 'paymentToken' | 'refundEmail'> {
  status: OrderStatus;
}

export function toOrderView(order: Order, now: Date): OrderView {
  const {
    organizerId: _organizer,
    paymentId: _payment,
    paymentToken: _token,
    refundEmail: _refundEmail,
    ...visible
  } = order;
  return { ...visible, status: effectiveStatus(order, now) };
}
