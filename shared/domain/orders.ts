import type { EmailKind } from '../db/table.js';
import type { Clock } from './clock.js';
import {
  ConcurrentModification,
  EventNotOnSale,
  Forbidden,
  LimitExceeded,
  NotFound,
  OrderNotPayable,
  PaymentDeclined,
  SoldOut,
  Unauthenticated,
  ValidationFailed,
} from './errors.js';
import type { EventView } from './event-model.js';
import {
  canManage,
  type EventRepository,
  type EventService,
  type Page,
  type PendingCancellation,
} from './events.js';
import type { UserRepository } from './identity.js';
import {
  effectiveStatus,
  type HoldInput,
  type ListOrdersQuery,
  type MyOrdersQuery,
  type Order,
  type OrderView,
  toOrderView,
} from './order-model.js';
import type {
  ExpiryScheduler,
  OrderListQuery,
  OrderRepository,
  OutboxRelay,
  PaymentGateway,
} from './order-ports.js';
import { isAdmin, type Principal } from './principal.js';

export interface OrderServiceDeps {
  orders: OrderRepository;
  events: EventRepository;
  /** Finds the customer behind an email, for listing their orders across events. */
  customers: Pick<UserRepository, 'getByEmail'>;
  scheduler: ExpiryScheduler;
  payments: PaymentGateway;
  outbox: OutboxRelay;
  clock: Clock;
  newId: () => string;
  /** Failures after a commit that the sweep repairs: logged, never thrown at the client. */
  onRecoverableError: (message: string, error: unknown) => void;
  /**
   * Real time (ms) an event cancellation's request keeps starting on the event's orders
   * before it answers and leaves the rest to the sweep; `CANCEL_EVENT_BUDGET_MS` if unset.
   */
  cancelEventBudgetMs?: number;
}

/** Optimistic transitions re-read and decide again this often before giving up with 409. */
const MAX_ATTEMPTS = 5;
/** A payment still PAYING this long after its hold ran out is presumed interrupted. */
const PAYMENT_RECOVERY_GRACE_MS = 2 * 60_000;
/** A refund still REFUNDING this long after it was claimed is presumed interrupted. */
const REFUND_RECOVERY_GRACE_MS = 2 * 60_000;
const OUTBOX_GRACE_MS = 60_000;
/**
 * Well inside the API functions' 10 s timeout (and API Gateway's 29 s), leaving room for
 * the order started last and for ending the cancellation.
 */
export const CANCEL_EVENT_BUDGET_MS = 6_000;
/** Kept from the invocation's time for the order started last, the requeue and the answer. */
const CANCEL_EVENT_ANSWER_MARGIN_MS = 3_000;
/** What one sweep spends on pending cancellations, of the sweep function's 50 s. */
export const SWEEP_CANCELLATIONS_BUDGET_MS = 20_000;
/** The sweep leaves a pending cancellation this long to the request that began it. */
const CANCELLATION_GRACE_MS = 60_000;
/**
 * A run over a cancelled event's orders stops for now after this many failed ones, to
 * spare a dependency that is down; the next run resumes after the last, so orders that
 * keep failing never keep those behind them from being released.
 */
const MAX_FAILED_ORDERS_PER_RUN = 10;

/**
 * How far a run over a cancelled event's orders got. `resumeFrom`: where the next run
 * resumes, null when it starts from the newest order (this run read to the end, or
 * stopped before it got anywhere).
 */
interface CancellationRun {
  released: number;
  finished: boolean;
  resumeFrom: string | null;
}

export class OrderService {
  constructor(private readonly deps: OrderServiceDeps) {}

  async hold(principal: Principal, eventId: string, input: HoldInput): Promise<OrderView> {
    const customer = requireCustomer(principal);
    const event = await this.deps.events.get(eventId);
    if (!event || (event.status === 'DRAFT' && !canManage(principal, event))) {
      throw new NotFound(`Event ${eventId} not found`);
    }
    const now = this.deps.clock.now();
    if (event.status !== 'PUBLISHED' || event.startsAt <= now.toISOString()) {
      throw new EventNotOnSale('Tickets for this event are not on sale');
    }
    const items = input.items.map(({ ticketTypeId, quantity }, index) => {
      const ticketType = event.ticketTypes.find(({ id }) => id === ticketTypeId);
      if (!ticketType) {
        throw new ValidationFailed('Unknown ticket type', [
          { path: `body.items.${index}.ticketTypeId`, message: 'not a ticket type of this event' },
        ]);
      }
      return {
        ticketTypeId,
        quantity,
        unitPriceCents: ticketType.priceCents,
        visiblyShort: ticketType.available < quantity,
      };
    });
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
      eventId,
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
    return toOrderView(order, now);
  }

  async get(principal: Principal, orderId: string): Promise<OrderView> {
    return toOrderView(await this.loadVisible(principal, orderId), this.deps.clock.now());
  }

  async pay(principal: Principal, orderId: string, paymentToken: string): Promise<OrderView> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const order = await this.loadVisible(principal, orderId);
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
    throw new ConcurrentModification('The order kept changing; try again');
  }

  /**
   * The customer's own cancel (a refund once paid), or an admin's. The event's organizer
   * sees the order but may not cancel it: that would move a customer's money and tickets
   * without the customer; an organizer cancels the whole event instead.
   */
  async cancel(principal: Principal, orderId: string): Promise<OrderView> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const order = await this.loadVisible(principal, orderId);
      if (order.customer.userId !== principal.userId && !isAdmin(principal)) {
        throw new Forbidden('Only the customer who holds the order and admins may cancel it');
      }
      const changed = await this.release(order, 'order-cancelled', 'order-refunded');
      if (changed !== 'stale') {
        const now = this.deps.clock.now();
        return toOrderView(changed === 'unchanged' ? order : await this.reload(orderId), now);
      }
    }
    throw new ConcurrentModification('The order kept changing; try again');
  }

  /**
   * Cancels the event, then releases or refunds its orders and emails each customer for
   * as long as the request's budget lasts. The cancelling write marks the cancellation
   * pending; what the request does not get to (time ran out, an order failed, a payment
   * is under way) the sweep finishes (`finishCancellations`), resuming where the request
   * stopped. Answers with the cancelled event either way; a repeated cancel does the
   * remaining work again.
   */
  async cancelEvent(
    principal: Principal,
    eventId: string,
    events: Pick<EventService, 'cancel'>,
    /** What the invocation has left (Lambda's `getRemainingTimeInMillis()`). */
    timeLeftMs = Number.POSITIVE_INFINITY,
  ): Promise<EventView> {
    // From the start, so the cancelling write's own retries count against the budget too.
    const deadline =
      performance.now() +
      Math.min(
        this.deps.cancelEventBudgetMs ?? CANCEL_EVENT_BUDGET_MS,
        timeLeftMs - CANCEL_EVENT_ANSWER_MARGIN_MS,
      );
    const event = await events.cancel(principal, eventId);
    try {
      const run = await this.releaseCancelledEvent(eventId, deadline, null);
      // Stopped part-way: the sweep resumes after what this request went through.
      if (run.resumeFrom !== null) {
        const now = this.deps.clock.now().toISOString();
        await this.deps.events.requeueCancellation(eventId, now, run.resumeFrom);
      }
    } catch (error) {
      // The event is cancelled and its cancellation pending: the sweep finishes it.
      this.deps.onRecoverableError(
        `Could not release the orders of cancelled event ${eventId}`,
        error,
      );
    }
    return event;
  }

  /**
   * The sweep's part for cancelled events: finishes the cancellations left pending, longest
   * waiting first, at most `limit` events and `budgetMs` of real time per run, each event
   * getting an equal share of the time left so a big one cannot starve the others. A
   * cancellation is left to its own request for a grace period first. One this run does
   * not finish (a payment in flight, failing orders, out of time) goes to the back of the
   * queue, so that stuck ones cannot starve newer ones, and its next run resumes where
   * this one stopped. An event that fails is reported and left for a later sweep.
   */
  async finishCancellations(
    options: { limit?: number; budgetMs?: number } = {},
  ): Promise<{ released: number; cancellationsFinished: number }> {
    const { limit = 10, budgetMs = SWEEP_CANCELLATIONS_BUDGET_MS } = options;
    const end = performance.now() + budgetMs;
    const graceStart = this.deps.clock.now().getTime() - CANCELLATION_GRACE_MS;
    const pending = await this.deps.events.pendingCancellations(
      new Date(graceStart).toISOString(),
      limit,
    );
    let released = 0;
    let cancellationsFinished = 0;
    for (const [index, entry] of pending.entries()) {
      const share = (end - performance.now()) / (pending.length - index);
      const run = await this.continueCancellation(entry, performance.now() + share);
      released += run.released;
      if (run.finished) cancellationsFinished++;
    }
    return { released, cancellationsFinished };
  }

  /** One pending cancellation's turn in the sweep; requeues it unless it finished. */
  private async continueCancellation(
    { eventId, cursor }: PendingCancellation,
    deadline: number,
  ): Promise<CancellationRun> {
    // A run that fails before it gets anywhere leaves the stored cursor as it was.
    let run: CancellationRun = { released: 0, finished: false, resumeFrom: cursor };
    try {
      // Only a cancelling write marks an event, and nothing changes a cancelled one;
      // a deleted event (one without orders) took its mark with it.
      const event = await this.deps.events.get(eventId);
      if (event === null) return run;
      if (event.status !== 'CANCELLED') {
        throw new Error(`Event ${eventId} is marked as cancelling but is ${event.status}`);
      }
      run = await this.releaseCancelledEvent(eventId, deadline, cursor);
      if (run.finished) return run;
    } catch (error) {
      this.deps.onRecoverableError(`Sweep could not finish cancelling event ${eventId}`, error);
    }
    try {
      const now = this.deps.clock.now().toISOString();
      await this.deps.events.requeueCancellation(eventId, now, run.resumeFrom);
    } catch (error) {
      this.deps.onRecoverableError(`Sweep could not requeue cancelled event ${eventId}`, error);
    }
    return run;
  }

  /**
   * The one fan-out of an event cancellation, for its request and the sweep alike: walks
   * the event's orders that still hold tickets, newest first from `from` (null: from the
   * newest), releases or refunds each (which emails its customer), and ends the pending
   * cancellation once none is left. Starts nothing once `performance.now()` reaches
   * `deadline`, nor after `MAX_FAILED_ORDERS_PER_RUN` failed orders; an order that fails
   * is reported and left for a later pass. A pass that reads to the end with orders
   * still live leaves the next one to start from the newest again.
   */
  private async releaseCancelledEvent(
    eventId: string,
    deadline: number,
    from: string | null,
  ): Promise<CancellationRun> {
    const timeLeft = () => performance.now() < deadline;
    let released = 0;
    let leftLive = false;
    let failures = 0;
    let resumeFrom = from;
    const stopped = (): CancellationRun => ({ released, finished: false, resumeFrom });
    let cursor = from ?? undefined;
    do {
      if (!timeLeft()) return stopped();
      // Only the first page starts from the stored cursor.
      const page = await this.liveOrdersOfCancelledEvent(eventId, cursor, cursor === from);
      if (page.restarted) resumeFrom = null;
      for (const order of page.items) {
        if (!timeLeft() || failures >= MAX_FAILED_ORDERS_PER_RUN) return stopped();
        try {
          const outcome = await this.releaseForCancelledEvent(order);
          if (outcome === 'released') released++;
          if (outcome === 'live') leftLive = true;
        } catch (error) {
          leftLive = true;
          failures++;
          this.deps.onRecoverableError(
            `Could not release order ${order.id} of cancelled event ${eventId}`,
            error,
          );
        }
        resumeFrom = this.deps.orders.eventCursorAfter(order);
      }
      // Also past what the page read beyond its last live order.
      resumeFrom = page.nextCursor;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    if (leftLive) return { released, finished: false, resumeFrom: null };
    const event = await this.deps.events.get(eventId);
    // Deleted: only an event without orders can be, and its mark went with it.
    if (event === null) return { released, finished: true, resumeFrom: null };
    // Conditional on the live counters, which every order change moves in its own
    // transaction: an order the index did not show yet, or one before `from`, keeps the
    // cancellation pending.
    const finished = await this.deps.events.endCancellation(event);
    return { released, finished, resumeFrom: null };
  }

  /**
   * A page of a cancelled event's live orders from `cursor`. A stored cursor (`stored`)
   * that no longer decodes, say one an older version wrote, must not wedge the
   * cancellation: the pass starts from the newest order instead (`restarted`).
   */
  private async liveOrdersOfCancelledEvent(
    eventId: string,
    cursor: string | undefined,
    stored: boolean,
  ): Promise<Page<Order> & { restarted: boolean }> {
    const list = (from: string | undefined) =>
      this.deps.orders.listByEvent(eventId, {
        now: this.deps.clock.now().toISOString(),
        live: true,
        limit: 100,
        ...(from !== undefined && { cursor: from }),
      });
    try {
      return { ...(await list(cursor)), restarted: false };
    } catch (error) {
      if (!(stored && error instanceof ValidationFailed)) throw error;
      this.deps.onRecoverableError(
        `Stored cursor of cancelled event ${eventId} is not valid; starting from the newest order`,
        error,
      );
      return { ...(await list(undefined)), restarted: true };
    }
  }

  /**
   * Releases one order of a cancelled event: `released` by this call, already `ended`,
   * or still `live` (a payment under way, or it kept changing).
   */
  private async releaseForCancelledEvent(order: Order): Promise<'released' | 'ended' | 'live'> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = attempt === 0 ? order : await this.reload(order.id);
      const outcome = await this.release(current, 'event-cancelled', 'event-cancelled');
      if (outcome === 'changed') return 'released';
      // A payment in flight refunds itself on seeing the cancelled event; until it ends,
      // its tickets are held and the cancellation stays pending.
      // Likewise a refund under way ends with the tickets released, by its claimer or the sweep.
      if (outcome === 'unchanged') return isInFlight(current) ? 'live' : 'ended';
    }
    return 'live';
  }

  /** The expiry job's entry: a late, early or repeated trigger changes nothing. */
  async expire(orderId: string): Promise<boolean> {
    const order = await this.deps.orders.get(orderId);
    if (order?.status !== 'HELD') return false;
    const now = this.deps.clock.now().toISOString();
    if (order.expiresAt > now) return false;
    return this.expireHold(order, now);
  }

  /**
   * The safety net behind the one-time schedules: expires every hold that ran out, and
   * finishes payments interrupted between capture and confirmation.
   */
  async sweep(limit = 100): Promise<{ expired: number; recovered: number; relayed: number }> {
    const now = this.deps.clock.now();
    const due = await this.deps.orders.dueForExpiry(now.toISOString(), limit);
    let expired = 0;
    let recovered = 0;
    for (const order of due) {
      try {
        const outcome = await this.sweepOne(order, now);
        if (outcome === 'expired') expired++;
        if (outcome === 'recovered') recovered++;
      } catch (error) {
        // One order that cannot be repaired now must not block the others behind it.
        this.deps.onRecoverableError(`Sweep could not repair order ${order.id}`, error);
      }
    }
    // Emails whose hand-over failed right after their commit; a minute leaves the normal
    // path time to finish, so the sweep does not race it.
    const relayed = await this.deps.outbox.relayPending(
      new Date(now.getTime() - OUTBOX_GRACE_MS).toISOString(),
      limit,
    );
    return { expired, recovered, relayed };
  }

  private async sweepOne(order: Order, now: Date): Promise<'expired' | 'recovered' | 'none'> {
    if (order.status === 'HELD') {
      return (await this.expireHold(order, now.toISOString())) ? 'expired' : 'none';
    }
    // Due only once its grace has passed (`startRefund`'s recoverAt).
    if (order.status === 'REFUNDING') {
      return (await this.finishRefund(order)) ? 'recovered' : 'none';
    }
    const interrupted =
      order.status === 'PAYING' &&
      order.paymentToken !== undefined &&
      Date.parse(order.expiresAt) + PAYMENT_RECOVERY_GRACE_MS <= now.getTime();
    if (!interrupted || order.paymentToken === undefined) return 'none';
    try {
      await this.capture(order, order.paymentToken);
      return 'recovered';
    } catch (error) {
      if (error instanceof PaymentDeclined) return 'none';
      throw error;
    }
  }

  async listMine(principal: Principal, query: MyOrdersQuery): Promise<Page<OrderView>> {
    const customer = requireCustomer(principal);
    const now = this.deps.clock.now();
    const page = await this.deps.orders.listByCustomer(customer.userId, {
      ...query,
      now: now.toISOString(),
    });
    return {
      items: page.items.map((order) => toOrderView(order, now)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * An event's orders, for its organizer and admins; or one customer's orders across
   * events: all of them for an admin, an organizer only those on their own events.
   */
  async listOrders(principal: Principal, query: ListOrdersQuery): Promise<Page<OrderView>> {
    const caller = requireCustomer(principal);
    const now = this.deps.clock.now();
    const { eventId, customerEmail, ...filters } = query;
    const listQuery = { ...filters, now: now.toISOString() };
    let page: Page<Order>;
    if (eventId !== undefined) {
      page = await this.listEventOrders(principal, eventId, { ...listQuery, customerEmail });
    } else if (customerEmail !== undefined) {
      const customer = await this.deps.customers.getByEmail(customerEmail);
      if (!customer) return { items: [], nextCursor: null };
      // In the filter, not after the read, so every page and cursor counts only these.
      const organizerId = isAdmin(principal) ? undefined : caller.userId;
      page = await this.deps.orders.listByCustomer(customer.id, { ...listQuery, organizerId });
    } else {
      // The request schema refuses this already; callers that skip it get the same answer.
      throw new ValidationFailed('Give eventId or customerEmail', [
        { path: 'query.eventId', message: 'give eventId or customerEmail' },
      ]);
    }
    return {
      items: page.items.map((order) => toOrderView(order, now)),
      nextCursor: page.nextCursor,
    };
  }

  private async listEventOrders(
    principal: Principal,
    eventId: string,
    query: OrderListQuery,
  ): Promise<Page<Order>> {
    const event = await this.deps.events.get(eventId);
    if (!event || (event.status === 'DRAFT' && !canManage(principal, event))) {
      throw new NotFound(`Event ${eventId} not found`);
    }
    if (!canManage(principal, event)) {
      throw new Forbidden("Only the event's organizer and admins may list its orders");
    }
    return this.deps.orders.listByEvent(eventId, query);
  }

  /** Charges (idempotently per order) and confirms; a decline puts the hold back. */
  private async capture(order: Order, paymentToken: string): Promise<Order> {
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
        await this.deps.orders.abandonPayment(order, this.deps.clock.now().toISOString());
      }
      throw error;
    }
    const paidAt = this.deps.clock.now().toISOString();
    if (!(await this.deps.orders.confirm(order, { paymentId, paidAt }))) {
      // Only this payment moves a PAYING order, so it must be confirmed already.
      const current = await this.reload(order.id);
      if (current.status === 'HELD' || current.status === 'PAYING') {
        throw new Error(`Order ${order.id} was not confirmed after its capture`);
      }
      return current;
    }
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
      return this.reload(order.id);
    }
    return confirmed;
  }

  /**
   * Expires a hold that ran out and emails its customer. A hold of a cancelled event
   * that expires before the cancellation reaches it tells of the cancellation, as every
   * customer of a cancelled event is told, not of a lapsed hold.
   */
  private async expireHold(order: Order, now: string): Promise<boolean> {
    const event = await this.deps.events.get(order.eventId);
    const kind: EmailKind = event?.status === 'CANCELLED' ? 'event-cancelled' : 'hold-expired';
    if (!(await this.deps.orders.expire(order, now, kind))) return false;
    await this.deps.outbox.relay(order.id, kind);
    return true;
  }

  /**
   * Puts an order's tickets back on sale: a live hold is cancelled, an expired one
   * expired, a paid order refunded. Terminal orders are left as they are.
   */
  private async release(
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
        if (!(await this.deps.orders.cancelHeld(order, now, heldEmail))) return 'stale';
        await this.deps.outbox.relay(order.id, heldEmail);
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
  private async finishRefund(order: Order): Promise<boolean> {
    await this.deps.payments.refund({
      orderId: order.id,
      paymentId: order.paymentId ?? '',
      amountCents: order.amountCents,
      currency: order.currency,
    });
    if (!(await this.deps.orders.refund(order, this.deps.clock.now().toISOString()))) {
      return false;
    }
    await this.deps.outbox.relay(order.id, order.refundEmail ?? 'order-refunded');
    return true;
  }

  /** Owner, the event's organizer and admins; everyone else learns nothing. */
  private async loadVisible(principal: Principal, orderId: string): Promise<Order> {
    requireCustomer(principal);
    const order = await this.deps.orders.get(orderId);
    const visible =
      order &&
      (isAdmin(principal) ||
        order.customer.userId === principal.userId ||
        order.organizerId === principal.userId);
    if (!visible) throw new NotFound(`Order ${orderId} not found`);
    return order;
  }

  private async reload(orderId: string): Promise<Order> {
    const order = await this.deps.orders.get(orderId);
    if (!order) throw new NotFound(`Order ${orderId} not found`);
    return order;
  }
}

/** A money step under way: its own caller or the sweep moves it on, nobody else. */
const isInFlight = (order: Order): boolean =>
  order.status === 'PAYING' || order.status === 'REFUNDING';

function requireCustomer(principal: Principal): Order['customer'] {
  if (principal.userId === null || principal.email === null) {
    throw new Unauthenticated('Sign in to do this');
  }
  return { userId: principal.userId, email: principal.email, name: principal.name ?? '' };
}
