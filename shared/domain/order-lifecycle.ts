import { type BestAvailableRequest, pickBestSeats } from './best-available.js';
import type { EmailKind } from './email-model.js';
import {
  ConcurrentModification,
  EventNotOnSale,
  Forbidden,
  LimitExceeded,
  NotFound,
  OrderNotPayable,
  PaymentDeclined,
  SeatUnavailable,
  SoldOut,
} from './errors.js';
import type { EventState } from './event-model.js';
import { canManage } from './events.js';
import { loadVisibleOrder, reloadOrder, requireCustomer } from './order-access.js';
import { bestAvailableSections, countItems, type PricedItem, seatItems } from './order-items.js';
import {
  effectiveStatus,
  type HoldInput,
  type Order,
  type OrderView,
  toOrderView,
} from './order-model.js';
import type { OrderDeps } from './order-ports.js';
import { isAdmin, type Principal } from './principal.js';
import { WaitlistHandover } from './waitlist-handover.js';

/** Optimistic transitions re-read and decide again this often before giving up with 409. */
export const MAX_ATTEMPTS = 5;
/**
 * A best-available hold picks again this often when racing buyers take its seats first.
 * Each round of a crowd after the same best seats has one winner, so the bound is about
 * the crowd that can meet on one run; between rounds, a random pause of up to
 * `BEST_AVAILABLE_MAX_PAUSE_MS` spreads the losers out.
 */
const BEST_AVAILABLE_ATTEMPTS = 12;
const BEST_AVAILABLE_MAX_PAUSE_MS = 400;
/**
 * Real time after which a best-available hold starts no new attempt: inside the function's
 * 10 s timeout, so no transaction is still in flight when the caller is answered (a
 * timed-out request whose write commits later leaves a hold its buyer was told failed).
 */
const BEST_AVAILABLE_BUDGET_MS = 6_000;
/** A refund still REFUNDING this long after it was claimed is presumed interrupted. */
const REFUND_RECOVERY_GRACE_MS = 2 * 60_000;

type LifecycleDeps = Pick<
  OrderDeps,
  | 'orders'
  | 'events'
  | 'waitlist'
  | 'scheduler'
  | 'payments'
  | 'outbox'
  | 'clock'
  | 'newId'
  | 'onRecoverableError'
  | 'metrics'
  | 'bestAvailableBudgetMs'
>;

/**
 * An order's life: hold, pay, cancel (a refund once paid) and expire, each a conditional
 * write that only one caller can win. The money steps are public for the two jobs that
 * finish what a request left half-way: the sweep and the event cancellation.
 */
export class OrderLifecycle {
  /** Serves the waitlist from the pools releases fill; the sweep runs it again when due. */
  readonly handover: WaitlistHandover;

  constructor(private readonly deps: LifecycleDeps) {
    this.handover = new WaitlistHandover(deps);
  }

  /** Counts the hold, or why there was none when the answer is about stock (409). */
  async hold(principal: Principal, eventId: string, input: HoldInput): Promise<OrderView> {
    try {
      const order = await this.holdOnce(principal, eventId, input);
      this.deps.metrics.count('HoldsCreated');
      return order;
    } catch (error) {
      if (error instanceof SoldOut) this.deps.metrics.count('SoldOut');
      if (error instanceof ConcurrentModification || error instanceof SeatUnavailable) {
        this.deps.metrics.count('Conflicts');
      }
      throw error;
    }
  }

  private async holdOnce(principal: Principal, eventId: string, input: HoldInput) {
    const customer = requireCustomer(principal);
    const event = await this.deps.events.get(eventId);
    if (!event || (event.status === 'DRAFT' && !canManage(principal, event))) {
      throw new NotFound(`Event ${eventId} not found`);
    }
    const now = this.deps.clock.now();
    if (event.status !== 'PUBLISHED' || event.startsAt <= now.toISOString()) {
      throw new EventNotOnSale('Tickets for this event are not on sale');
    }
    if ('bestAvailable' in input) {
      return this.holdBestAvailable(customer, event, input.bestAvailable, now);
    }
    const items = 'seatIds' in input ? seatItems(event, input.seatIds) : countItems(event, input);
    const placed = await this.place(customer, event, items, now);
    if ('seatsTaken' in placed) {
      const seatIds = 'seatIds' in input ? input.seatIds : [];
      throw new SeatUnavailable(
        `Taken already: ${placed.seatsTaken.join(', ')}`,
        placed.seatsTaken.map((seat) => ({
          path: `body.seatIds.${seatIds.indexOf(seat)}`,
          message: `seat ${seat} is not available`,
        })),
      );
    }
    return toOrderView(placed, now);
  }

  /**
   * SPEC: the server picks the seats from a fresh read of the taken ones; a concurrent
   * buyer who gets some of them first sends it back to read and pick again.
   */
  private async holdBestAvailable(
    customer: Order['customer'],
    event: EventState,
    request: BestAvailableRequest,
    now: Date,
  ): Promise<OrderView> {
    const sections = bestAvailableSections(event, request);
    // Checked before the map is read, so an oversized request is not reported sold out.
    if (request.quantity > event.maxTicketsPerOrder) {
      throw new LimitExceeded(`At most ${event.maxTicketsPerOrder} tickets per order`);
    }
    // The counters already tell a sold-out type: no need to read its whole seat map.
    const ticketType = event.ticketTypes.find(({ id }) => id === request.ticketTypeId);
    if (ticketType && ticketType.available < request.quantity) {
      throw new SoldOut('Not enough seats left for this order');
    }
    const started = performance.now();
    for (let attempt = 0; attempt < BEST_AVAILABLE_ATTEMPTS; attempt++) {
      const budget = this.deps.bestAvailableBudgetMs ?? BEST_AVAILABLE_BUDGET_MS;
      if (attempt > 0 && performance.now() - started > budget) break;
      const taken = await this.deps.events.takenSeats(event.id, sections);
      const picked = pickBestSeats(event.seating, taken, request);
      if (!picked) throw new SoldOut('Not enough seats left for this order');
      const placed = await this.place(customer, event, seatItems(event, picked), now);
      if (!('seatsTaken' in placed)) return toOrderView(placed, now);
      // Everyone racing read the same map and picked the same best seats: a random pause
      // spreads the losers out, so their next reads see each other's winners.
      if (attempt + 1 < BEST_AVAILABLE_ATTEMPTS) {
        const pauseMs = Math.random() * Math.min(BEST_AVAILABLE_MAX_PAUSE_MS, 25 * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
    throw new ConcurrentModification('Too many buyers at once for these seats; try again');
  }

  /**
   * Writes the HELD order in one conditional transaction and schedules its expiry; the
   * seats someone else took first, when that is what stopped it.
   */
  private async place(
    customer: Order['customer'],
    event: EventState,
    items: readonly PricedItem[],
    now: Date,
  ): Promise<Order | { seatsTaken: string[] }> {
    const quantity = items.reduce((sum, item) => sum + item.quantity, 0);
    if (quantity > event.maxTicketsPerOrder) {
      throw new LimitExceeded(`At most ${event.maxTicketsPerOrder} tickets per order`);
    }
    // A fast answer for the common sold-out case, from the strongly consistent read;
    // the conditional write below stays the only guard for the tickets it does take.
    if (items.some((item) => item.visiblyShort)) {
      throw new SoldOut('Not enough tickets left for this order');
    }
    const order: Order = {
      id: this.deps.newId(),
      eventId: event.id,
      eventName: event.name,
      organizerId: event.organizerId,
      customer,
      items: items.map(({ visiblyShort: _, ...item }) => item),
      amountCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
      currency: event.currency,
      status: 'HELD',
      expiresAt: new Date(now.getTime() + event.holdSeconds * 1000).toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    // The stock is taken by the conditional write alone; the read above only priced it.
    const outcome = await this.deps.orders.hold(order, {
      perCustomer: event.maxTicketsPerOrder,
      now: now.toISOString(),
    });
    if (typeof outcome === 'object') return outcome;
    if (outcome === 'sold-out') throw new SoldOut('Not enough tickets left for this order');
    if (outcome === 'not-on-sale')
      throw new EventNotOnSale('Tickets for this event are not on sale');
    if (outcome === 'contended') {
      throw new ConcurrentModification('Too many buyers at once for this event; try again');
    }
    if (outcome === 'limit-exceeded') {
      throw new LimitExceeded(
        `At most ${event.maxTicketsPerOrder} live tickets per customer for this event`,
      );
    }
    try {
      await this.deps.scheduler.scheduleExpiry(order.id, order.expiresAt);
    } catch (error) {
      // Committed already; the periodic sweep expires holds whose schedule is missing.
      this.deps.onRecoverableError('Could not schedule the hold expiry', error);
    }
    return order;
  }

  async pay(principal: Principal, orderId: string, paymentToken: string): Promise<OrderView> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const order = await loadVisibleOrder(this.deps.orders, principal, orderId);
      if (order.customer.userId !== principal.userId) {
        throw new Forbidden('Only the customer who holds the order may pay for it');
      }
      const now = this.deps.clock.now();
      if (order.status === 'CONFIRMED' || order.status === 'REFUNDING') {
        return toOrderView(order, now);
      }
      if (order.status === 'PAYING') {
        throw new OrderNotPayable('A payment for this order is already in progress');
      }
      const status = effectiveStatus(order, now);
      if (status !== 'HELD') throw new OrderNotPayable(`The order is ${status}`);
      // A cancelled event's holds stay HELD until its cancellation reaches them, which
      // may be the sweep's work for a while: nobody is charged for such an event. A
      // cancel landing after this read is left to the payment, which then refunds itself.
      const event = await this.deps.events.get(order.eventId);
      if (event?.status === 'CANCELLED') {
        throw new OrderNotPayable('The event was cancelled; this order will be released');
      }
      if (!(await this.deps.orders.startPayment(order, paymentToken, now.toISOString()))) continue;
      return toOrderView(await this.capture(order, paymentToken), this.deps.clock.now());
    }
    this.deps.metrics.count('Conflicts');
    throw new ConcurrentModification('The order kept changing; try again');
  }

  /**
   * The customer's own cancel (a refund once paid), or an admin's. The event's organizer
   * sees the order but may not cancel it: that would move a customer's money and tickets
   * without the customer; an organizer cancels the whole event instead.
   */
  async cancel(principal: Principal, orderId: string): Promise<OrderView> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const order = await loadVisibleOrder(this.deps.orders, principal, orderId);
      if (order.customer.userId !== principal.userId && !isAdmin(principal)) {
        throw new Forbidden('Only the customer who holds the order and admins may cancel it');
      }
      const changed = await this.release(order, 'order-cancelled', 'order-refunded');
      if (changed !== 'stale') {
        const now = this.deps.clock.now();
        return toOrderView(
          changed === 'unchanged' ? order : await reloadOrder(this.deps.orders, orderId),
          now,
        );
      }
    }
    throw new ConcurrentModification('The order kept changing; try again');
  }

  /** The expiry job's entry: a late, early or repeated trigger changes nothing. */
  async expire(orderId: string): Promise<boolean> {
    const order = await this.deps.orders.get(orderId);
    if (order?.status !== 'HELD') return false;
    const now = this.deps.clock.now().toISOString();
    if (order.expiresAt > now) return false;
    return this.expireHold(order, now);
  }

  /** Charges (idempotently per order) and confirms; a decline puts the hold back. */
  async capture(order: Order, paymentToken: string): Promise<Order> {
    let paymentId: string;
    try {
      ({ paymentId } = await this.deps.payments.capture({
        orderId: order.id,
        paymentToken,
        amountCents: order.amountCents,
        currency: order.currency,
      }));
    } catch (error) {
      if (error instanceof PaymentDeclined) {
        this.deps.metrics.count('PaymentsDeclined');
        await this.deps.orders.abandonPayment(order, this.deps.clock.now().toISOString());
      }
      throw error;
    }
    const paidAt = this.deps.clock.now().toISOString();
    if (!(await this.deps.orders.confirm(order, { paymentId, paidAt }))) {
      // Only this payment moves a PAYING order, so it must be confirmed already.
      const current = await reloadOrder(this.deps.orders, order.id);
      if (current.status === 'HELD' || current.status === 'PAYING') {
        throw new Error(`Order ${order.id} was not confirmed after its capture`);
      }
      return current;
    }
    this.deps.metrics.count('Payments');
    await this.deps.outbox.relay(order.id, 'order-confirmed');
    const confirmed: Order = {
      ...order,
      status: 'CONFIRMED',
      paymentId,
      paidAt,
      updatedAt: paidAt,
    };
    // The event may have been cancelled while this payment was in flight; its
    // cancellation skipped the order then, so the refund falls to the payment.
    const event = await this.deps.events.get(order.eventId);
    if (event?.status === 'CANCELLED') {
      await this.release(confirmed, 'event-cancelled', 'event-cancelled');
      return reloadOrder(this.deps.orders, order.id);
    }
    return confirmed;
  }

  /**
   * Expires a hold that ran out and emails its customer. A hold of a cancelled event
   * that expires before the cancellation reaches it tells of the cancellation, as every
   * customer of a cancelled event is told, not of a lapsed hold.
   */
  async expireHold(order: Order, now: string): Promise<boolean> {
    const event = await this.deps.events.get(order.eventId);
    const kind: EmailKind = event?.status === 'CANCELLED' ? 'event-cancelled' : 'hold-expired';
    const released = await this.deps.orders.expire(order, now, kind);
    if (!released) return false;
    this.deps.metrics.count('HoldsExpired');
    await this.deps.outbox.relay(order.id, kind);
    await this.handover.afterRelease(order.eventId, released.pooled);
    return true;
  }

  /**
   * Puts an order's tickets back on sale: a live hold is cancelled, an expired one
   * expired, a paid order refunded. Terminal orders are left as they are.
   */
  async release(
    order: Order,
    heldEmail: EmailKind,
    refundEmail: EmailKind,
  ): Promise<'changed' | 'unchanged' | 'stale'> {
    const now = this.deps.clock.now().toISOString();
    switch (order.status) {
      case 'HELD': {
        if (order.expiresAt <= now) {
          return (await this.expireHold(order, now)) ? 'changed' : 'stale';
        }
        const released = await this.deps.orders.cancelHeld(order, now, heldEmail);
        if (!released) return 'stale';
        await this.deps.outbox.relay(order.id, heldEmail);
        await this.handover.afterRelease(order.eventId, released.pooled);
        return 'changed';
      }
      case 'CONFIRMED': {
        // Claimed first, so that of many concurrent cancels one asks the gateway.
        const recoverAt = new Date(Date.parse(now) + REFUND_RECOVERY_GRACE_MS).toISOString();
        const claim = { now, email: refundEmail, recoverAt };
        if (!(await this.deps.orders.startRefund(order, claim))) return 'stale';
        await this.finishRefund({ ...order, status: 'REFUNDING', refundEmail });
        return 'changed';
      }
      case 'PAYING':
      case 'REFUNDING':
        // Event cancellation leaves a payment to itself (it refunds on seeing the
        // cancelled event) and a refund to its claimer or the sweep; a customer's
        // cancel must wait for either to end.
        if (heldEmail === 'event-cancelled') return 'unchanged';
        throw new ConcurrentModification(
          `A ${order.status === 'PAYING' ? 'payment' : 'refund'} for this order is in progress; try again`,
        );
      default:
        return 'unchanged';
    }
  }

  /**
   * The second half of a refund, after `startRefund` claimed it: the gateway refunds
   * (idempotently per order, so the sweep may ask again after an interruption), then
   * the order, its stock and its counters move to REFUNDED and the customer is told.
   * False when someone else finished it first.
   */
  async finishRefund(order: Order): Promise<boolean> {
    await this.deps.payments.refund({
      orderId: order.id,
      paymentId: order.paymentId ?? '',
      amountCents: order.amountCents,
      currency: order.currency,
    });
    const released = await this.deps.orders.refund(order, this.deps.clock.now().toISOString());
    if (!released) return false;
    await this.deps.outbox.relay(order.id, order.refundEmail ?? 'order-refunded');
    await this.handover.afterRelease(order.eventId, released.pooled);
    return true;
  }
}
