import type { Clock } from './clock.js';
import type { EmailKind } from './email-model.js';
import type { EventRepository } from './event-ports.js';
import type { UserRepository } from './identity-ports.js';
import type { BusinessMetrics } from './metrics-port.js';
import type { Order, OrderStatus } from './order-model.js';
import type { Page } from './page.js';
import type { WaitlistRepository } from './waitlist-ports.js';

/** What the order units (lifecycle, queries, sweep, event cancellation) are built from. */
export interface OrderDeps {
  orders: OrderRepository;
  events: EventRepository;
  /** The line freed tickets go to before they go back on sale. */
  waitlist: WaitlistRepository;
  /** Finds the customer behind an email, for listing their orders across events. */
  customers: Pick<UserRepository, 'getByEmail'>;
  scheduler: ExpiryScheduler;
  payments: PaymentGateway;
  outbox: OutboxRelay;
  clock: Clock;
  newId: () => string;
  /** Failures after a commit that the sweep repairs: logged, never thrown at the client. */
  onRecoverableError: (message: string, error: unknown) => void;
  metrics: BusinessMetrics;
  /**
   * Real time (ms) an event cancellation's request keeps starting on the event's orders
   * before it answers and leaves the rest to the sweep; `CANCEL_EVENT_BUDGET_MS` if unset.
   */
  cancelEventBudgetMs?: number;
  /** Real time (ms) a best-available hold keeps picking again; `BEST_AVAILABLE_BUDGET_MS` if unset. */
  bestAvailableBudgetMs?: number;
}

/**
 * `contended`: it kept losing to concurrent transactions on the event's hot item.
 * `seatsTaken`: someone else has these seats of the order (in the order's seat order).
 */
export type HoldOutcome =
  | 'held'
  | 'sold-out'
  | 'not-on-sale'
  | 'limit-exceeded'
  | 'contended'
  | { seatsTaken: string[] };

/**
 * A release that went through: the ticket types whose freed tickets went to their
 * waitlist's pool (someone waits for them), for the hand-over to offer.
 */
export interface Released {
  pooled: string[];
}

/**
 * Persistence port for orders. Every state change is one conditional transaction
 * that moves the order, the event's counters and the customer's live-ticket count
 * together, and commits the customer's email to the outbox with them; a change whose
 * condition no longer holds reports false and changes nothing.
 */
export interface OrderRepository {
  /** Strongly consistent. */
  get(orderId: string): Promise<Order | null>;
  /**
   * Takes the stock: published, not started, enough left, the customer under the cap,
   * and every seat of the order nobody else's.
   */
  hold(order: Order, limits: { perCustomer: number; now: string }): Promise<HoldOutcome>;
  /** HELD → PAYING while the hold is still valid; remembers the token for recovery. */
  startPayment(order: Order, paymentToken: string, now: string): Promise<boolean>;
  /** PAYING → HELD after a decline. */
  abandonPayment(order: Order, now: string): Promise<boolean>;
  /** PAYING → CONFIRMED: held becomes sold, revenue counted, confirmation queued. */
  confirm(order: Order, payment: { paymentId: string; paidAt: string }): Promise<boolean>;
  /**
   * HELD past its expiry → EXPIRED: the stock goes back on sale (or, like every release,
   * to the waitlist's pool when someone waits for it); null when the order had moved. `email` is
   * `hold-expired`, or `event-cancelled` when the event was cancelled meanwhile.
   */
  expire(order: Order, now: string, email: EmailKind): Promise<Released | null>;
  /** HELD → CANCELLED: the stock goes back on sale. */
  cancelHeld(order: Order, now: string, email: EmailKind): Promise<Released | null>;
  /**
   * CONFIRMED → REFUNDING: claims the refund before the gateway is asked, so that of
   * any number of concurrent cancels one calls it. Puts the order in the due index at
   * `recoverAt`, when the sweep finishes a refund that stopped half-way. `email` is
   * the one `refund` sends.
   */
  startRefund(
    order: Order,
    refund: { now: string; email: EmailKind; recoverAt: string },
  ): Promise<boolean>;
  /**
   * REFUNDING → REFUNDED, once the gateway has refunded: the stock goes back on sale,
   * the revenue out, and the email chosen at `startRefund` is queued.
   */
  refund(order: Order, now: string): Promise<Released | null>;
  listByEvent(eventId: string, query: OrderListQuery): Promise<Page<Order>>;
  /** A `listByEvent` cursor that resumes right after `order`, whatever the filters. */
  eventCursorAfter(order: Order): string;
  listByCustomer(userId: string, query: OrderListQuery): Promise<Page<Order>>;
  /**
   * Orders due for the sweep before `now`, oldest first: holds that ran out (HELD, or
   * PAYING and maybe stuck), and refunds claimed but maybe not finished (REFUNDING).
   */
  dueForExpiry(now: string, limit: number): Promise<Order[]>;
}

export interface OrderListQuery {
  status?: OrderStatus;
  /** Only orders that still hold tickets: HELD (expired or not), PAYING, CONFIRMED or REFUNDING. */
  live?: boolean;
  customerEmail?: string;
  /** Only orders on this organizer's events. */
  organizerId?: string;
  /** Created within these bounds (inclusive), by the indexes' sort on creation. */
  createdFrom?: string;
  createdTo?: string;
  /** Needed to tell HELD from EXPIRED, which reads derive from `expiresAt`. */
  now: string;
  limit: number;
  cursor?: string;
}

/** One-time wake-ups that expire a hold when it runs out. */
export interface ExpiryScheduler {
  scheduleExpiry(orderId: string, at: string): Promise<void>;
}

export interface PaymentGateway {
  /** Idempotent per order: the same order never yields a second charge. */
  capture(input: {
    orderId: string;
    paymentToken: string;
    amountCents: number;
    currency: string;
  }): Promise<{ paymentId: string }>;
  /** Idempotent per order. */
  refund(input: {
    orderId: string;
    paymentId: string;
    amountCents: number;
    currency: string;
  }): Promise<void>;
}

/**
 * Hands committed outbox messages to the email queue. Best effort: a message it
 * cannot hand over stays in the outbox, and the sweep hands it over later.
 */
export interface OutboxRelay {
  relay(orderId: string, kind: EmailKind): Promise<void>;
  /** Hands over messages committed before `before` that are still waiting; returns how many. */
  relayPending(before: string, limit: number): Promise<number>;
}
