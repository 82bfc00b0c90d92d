import { PaymentDeclined } from './errors.js';
import type { OrderLifecycle } from './order-lifecycle.js';
import type { Order } from './order-model.js';
import type { OrderDeps } from './order-ports.js';

/** A payment still PAYING this long after its hold ran out is presumed interrupted. */
const PAYMENT_RECOVERY_GRACE_MS = 2 * 60_000;
/** Emails whose hand-over failed right after their commit wait this long for the normal path. */
const OUTBOX_GRACE_MS = 60_000;
/** Pools filled this long ago whose hand-over has not ended are presumed interrupted. */
const HANDOVER_GRACE_MS = 30_000;

/** The minute job behind the one-time expiry schedules and the outbox's hand-over. */
export class OrderSweep {
  constructor(
    private readonly deps: Pick<
      OrderDeps,
      'orders' | 'outbox' | 'clock' | 'onRecoverableError' | 'metrics'
    >,
    private readonly lifecycle: OrderLifecycle,
  ) {}

  /**
   * The safety net behind the one-time schedules: expires every hold that ran out,
   * finishes payments interrupted between capture and confirmation, hands over emails
   * and waitlist pools left waiting.
   */
  async sweep(
    limit = 100,
  ): Promise<{ expired: number; recovered: number; relayed: number; handedOver: number }> {
    const now = this.deps.clock.now();
    const due = await this.deps.orders.dueForExpiry(now.toISOString(), limit);
    // Schedules expire holds within seconds, this sweep within a minute: an old one here
    // means both are failing or the sweep is falling behind (the OverdueHolds alarm).
    const lapsedAt = due.filter((o) => o.status === 'HELD').map((o) => Date.parse(o.expiresAt));
    const oldest = Math.min(now.getTime(), ...lapsedAt);
    this.deps.metrics.seconds('OverdueHoldAge', (now.getTime() - oldest) / 1000);
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
    // Pools whose hand-over stopped half-way: after the expiries above, which may add to them.
    const handedOver = await this.lifecycle.handover.handOverDue(
      new Date(now.getTime() - HANDOVER_GRACE_MS).toISOString(),
      limit,
    );
    return { expired, recovered, relayed, handedOver };
  }

  private async sweepOne(order: Order, now: Date): Promise<'expired' | 'recovered' | 'none'> {
    if (order.status === 'HELD') {
      return (await this.lifecycle.expireHold(order, now.toISOString())) ? 'expired' : 'none';
    }
    // Due only once its grace has passed (`startRefund`'s recoverAt).
    if (order.status === 'REFUNDING') {
      return (await this.lifecycle.finishRefund(order)) ? 'recovered' : 'none';
    }
    const interrupted =
      order.status === 'PAYING' &&
      order.paymentToken !== undefined &&
      Date.parse(order.expiresAt) + PAYMENT_RECOVERY_GRACE_MS <= now.getTime();
    if (!interrupted || order.paymentToken === undefined) return 'none';
    try {
      await this.lifecycle.capture(order, order.paymentToken);
      return 'recovered';
    } catch (error) {
      if (error instanceof PaymentDeclined) return 'none';
      throw error;
    }
  }
}
