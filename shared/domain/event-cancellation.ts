import { ValidationFailed } from './errors.js';
import type { EventState, EventView } from './event-model.js';
import type { PendingCancellation } from './event-ports.js';
import type { EventService } from './events.js';
import { reloadOrder } from './order-access.js';
import { MAX_ATTEMPTS, type OrderLifecycle } from './order-lifecycle.js';
import { isInFlight, type Order } from './order-model.js';
import type { OrderDeps } from './order-ports.js';
import type { Page } from './page.js';
import type { Principal } from './principal.js';

/**
 * Well inside the API functions' 10 s timeout (and API Gateway's 29 s), leaving room for
 * the order started last and for ending the cancellation.
 */
const CANCEL_EVENT_BUDGET_MS = 6_000;
/** Kept from the invocation's time for the order started last, the requeue and the answer. */
const CANCEL_EVENT_ANSWER_MARGIN_MS = 3_000;
/** What one sweep spends on pending cancellations, of the sweep function's 50 s. */
const SWEEP_CANCELLATIONS_BUDGET_MS = 20_000;
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

/** Waiting entries a cancellation takes out of a line per Query. */
const LINE_PAGE = 100;
const MAX_LINE_PAGES = 50;

/**
 * The fan-out of an event's cancellation to its orders: every held order released,
 * every paid one refunded, each customer emailed. The request that cancels starts it
 * within a budget; the minute sweep finishes what is left, resuming where it stopped.
 */
export class EventCancellation {
  constructor(
    private readonly deps: Pick<
      OrderDeps,
      'orders' | 'events' | 'waitlist' | 'clock' | 'onRecoverableError' | 'cancelEventBudgetMs'
    >,
    private readonly lifecycle: OrderLifecycle,
  ) {}

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
    await this.closeLines(event);
    // Conditional on the live counters, which every order change moves in its own
    // transaction: an order the index did not show yet, or one before `from`, keeps the
    // cancellation pending.
    const finished = await this.deps.events.endCancellation(event);
    return { released, finished, resumeFrom: null };
  }

  /**
   * Nobody will be offered tickets of a cancelled event: its waiting entries leave their
   * lines, as if each customer had left. No entry can join a cancelled event, so the
   * lines only shrink; the cancellation ends only once they are empty.
   */
  private async closeLines(event: EventState): Promise<void> {
    for (const { id } of event.ticketTypes) {
      let entries = await this.deps.waitlist.line(event.id, id, LINE_PAGE);
      for (let page = 1; entries.length > 0; page++) {
        // The line's index may still show entries that left: a bound, not a loop forever.
        if (page > MAX_LINE_PAGES) throw new Error(`The waitlist of ${event.id} did not empty`);
        for (const entry of entries) await this.deps.waitlist.remove(entry);
        entries = await this.deps.waitlist.line(event.id, id, LINE_PAGE);
      }
    }
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
      const current = attempt === 0 ? order : await reloadOrder(this.deps.orders, order.id);
      const outcome = await this.lifecycle.release(current, 'event-cancelled', 'event-cancelled');
      if (outcome === 'changed') return 'released';
      // A payment in flight refunds itself on seeing the cancelled event; until it ends,
      // its tickets are held and the cancellation stays pending.
      // Likewise a refund under way ends with the tickets released, by its claimer or the sweep.
      if (outcome === 'unchanged') return isInFlight(current) ? 'live' : 'ended';
    }
    return 'live';
  }
}
