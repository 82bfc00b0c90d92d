import type { Order } from './order-model.js';
import type { WaitlistCounters, WaitlistEntry } from './waitlist-model.js';

/** What the hand-over needs of an event's INVENTORY for one ticket type, read strongly. */
export interface WaitlistStock extends WaitlistCounters {
  status: string;
  startsAt: string;
  holdSeconds: number;
  maxTicketsPerOrder: number;
  /** Public stock of the type, besides the `reserved` pool. */
  available: number;
  priceCents: number;
}

/** Why joining the line was refused. */
export type JoinOutcome = 'joined' | 'not-sold-out' | 'not-on-sale' | 'already-waitlisted';

/**
 * Why an offer was not made: the entry left the line first, the stock it counted on
 * moved, or its customer is at the event's per-customer cap (the entry is skipped).
 */
export type OfferOutcome = 'offered' | 'entry-gone' | 'stock-moved' | 'customer-at-cap';

/** A due hand-over: freed tickets put in a pool whose hand-over may not have run. */
export interface PendingHandover {
  eventId: string;
  ticketTypeId: string;
  /** Changes with every release into the pool; the marker goes only with the one it read. */
  token: string;
}

/**
 * Persistence port of the waitlist. Joining, leaving and offering are each one
 * conditional transaction with the INVENTORY counters, so the counters, the line and
 * the pool never disagree.
 */
export interface WaitlistRepository {
  /** Strongly consistent. */
  get(entryId: string): Promise<WaitlistEntry | null>;
  /**
   * Puts the entry in line: only while the event is on sale at `now`, the type has fewer
   * than `entry.quantity` tickets on sale, and the customer has no live entry for it.
   */
  join(entry: WaitlistEntry, now: string): Promise<JoinOutcome>;
  /** Takes a WAITING entry out of line, or forgets an OFFERED one; false if it changed. */
  remove(entry: WaitlistEntry): Promise<boolean>;
  /** 1 + the WAITING entries ahead of this one in its line. */
  positionOf(entry: WaitlistEntry): Promise<number>;
  /** A customer's entries, newest first. */
  listByCustomer(userId: string): Promise<WaitlistEntry[]>;
  /** The line of a ticket type: its WAITING entries, first come first, up to `limit`. */
  line(eventId: string, ticketTypeId: string, limit: number): Promise<WaitlistEntry[]>;
  stock(eventId: string, ticketTypeId: string): Promise<WaitlistStock | null>;
  /** The pool of a seated type: its RESERVED seats, by section and then row and number. */
  reservedSeats(eventId: string, sections: readonly string[]): Promise<string[]>;
  /**
   * The offer: the entry WAITING → OFFERED and the order HELD, taking `fromPool` tickets
   * (or the order's seats) from the pool and the rest from public stock, with the
   * customer's cap, the order's expiry index and the `waitlist-offer` email, in one write.
   */
  offer(
    entry: WaitlistEntry,
    order: Order,
    take: { fromPool: number; perCustomer: number; now: string },
  ): Promise<OfferOutcome>;
  /**
   * Puts the pool back on public sale (its seats too), only while no entry joined since
   * `joined` was read: nobody in line fits it. False when that changed.
   */
  releasePool(
    eventId: string,
    ticketTypeId: string,
    pool: { count: number; seatIds: readonly string[]; joined: number },
  ): Promise<boolean>;
  /** The type's pending hand-over marker, if any. */
  pendingHandover(eventId: string, ticketTypeId: string): Promise<PendingHandover | null>;
  /** Ends the marker, unless a release into the pool renewed it since it was read. */
  endHandover(pending: PendingHandover): Promise<void>;
  /** Markers older than `before`, oldest first: hand-overs the sweep runs again. */
  dueHandovers(before: string, limit: number): Promise<PendingHandover[]>;
}
