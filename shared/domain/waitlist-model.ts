import * as z from 'zod';
import { LIMITS } from './event-model.js';
import type { Order } from './order-model.js';

/**
 * WAITING: in line for its ticket type. OFFERED: freed tickets were held for it as an
 * order of its own (`orderId`), which the customer pays, cancels or lets lapse like any
 * other; the entry has left the line either way.
 */
export const WAITLIST_STATUSES = ['WAITING', 'OFFERED'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

export const joinWaitlistSchema = z.strictObject({
  ticketTypeId: z.string().min(1).max(100),
  quantity: z.int().min(1).max(LIMITS.maxTicketsPerOrder.max),
});
export type JoinWaitlistInput = z.infer<typeof joinWaitlistSchema>;

export const waitlistEntryParamsSchema = z.strictObject({ entryId: z.string().min(1).max(100) });

export interface WaitlistEntry {
  id: string;
  eventId: string;
  ticketTypeId: string;
  quantity: number;
  status: WaitlistStatus;
  customer: Order['customer'];
  createdAt: string;
  updatedAt: string;
  /** Once OFFERED: the HELD order the freed tickets went to. */
  orderId?: string;
}

export interface WaitlistEntryView {
  id: string;
  eventId: string;
  ticketTypeId: string;
  quantity: number;
  /** 1 for the head of the line; only while WAITING. */
  position?: number;
  status: WaitlistStatus;
  orderId?: string;
  createdAt: string;
}

export function toWaitlistEntryView(
  entry: WaitlistEntry,
  position: number | undefined,
): WaitlistEntryView {
  return {
    id: entry.id,
    eventId: entry.eventId,
    ticketTypeId: entry.ticketTypeId,
    quantity: entry.quantity,
    ...(position !== undefined && { position }),
    status: entry.status,
    ...(entry.orderId !== undefined && { orderId: entry.orderId }),
    createdAt: entry.createdAt,
  };
}

/**
 * A ticket type's side of the waitlist, on the event's INVENTORY item: how many entries
 * wait, how many freed tickets are kept for them (`reserved`: off public sale until the
 * hand-over offers them or, when no waiting entry fits, puts them back), and how many
 * entries ever joined (the hand-over's guard against an entry joining while it decides
 * that nobody fits).
 */
export interface WaitlistCounters {
  waiting: number;
  reserved: number;
  joined: number;
}
