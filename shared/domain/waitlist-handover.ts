import { actingAs } from './actor.js';
import type { EventState } from './event-model.js';
import type { Order } from './order-model.js';
import type { OrderDeps } from './order-ports.js';
import type { WaitlistEntry } from './waitlist-model.js';
import type { WaitlistStock } from './waitlist-ports.js';

/**
 * Rounds of one hand-over: each makes one offer, or puts the pool back on sale. An
 * offer takes up to `maxTicketsPerOrder` tickets, so a pool this big is rare; what is
 * left is the sweep's.
 */
const HANDOVER_ROUNDS = 50;
/** Entries of the line one round reads: the first that fits among them gets the offer. */
export const LINE_LOOKAHEAD = 200;
/** Rounds that may find the line's index behind the counters before leaving it to the sweep. */
const LAGGING_READS = 5;
const LAG_PAUSE_MS = 40;

type HandoverDeps = Pick<
  OrderDeps,
  'waitlist' | 'events' | 'scheduler' | 'outbox' | 'clock' | 'newId' | 'onRecoverableError'
>;

/**
 * Serves the line from the pool a release filled. Freed tickets of a type with a waiting
 * entry never go back on sale directly: the release's own transaction puts them in the
 * type's `reserved` pool, which public holds cannot take. Here the first entry that fits
 * (the pool plus what is on sale; for seats, the pool's seats) gets them as a HELD order;
 * when no waiting entry fits, the pool goes back on sale, unless an entry joined since.
 */
export class WaitlistHandover {
  constructor(private readonly deps: HandoverDeps) {}

  /** After a release filled these pools; best effort, the sweep finishes what fails here. */
  async afterRelease(eventId: string, ticketTypeIds: readonly string[]): Promise<void> {
    for (const ticketTypeId of ticketTypeIds) {
      try {
        // The line's offer is the hand-over's act, whoever's release freed the tickets.
        await actingAs({ system: 'handover' }, () => this.handOver(eventId, ticketTypeId));
      } catch (error) {
        this.deps.onRecoverableError(`Waitlist hand-over of ${eventId}/${ticketTypeId}`, error);
      }
    }
  }

  /** The sweep's part: hand-overs whose marker is older than `before`. */
  async handOverDue(before: string, limit: number): Promise<number> {
    const due = await this.deps.waitlist.dueHandovers(before, limit);
    await Promise.all(
      due.map(({ eventId, ticketTypeId }) => this.afterRelease(eventId, [ticketTypeId])),
    );
    return due.length;
  }

  /** Offers from the pool until it is empty or nobody waiting fits; how many offers. */
  async handOver(eventId: string, ticketTypeId: string): Promise<number> {
    // Read before the stock: a release after this read renews it, and keeps it.
    const marker = await this.deps.waitlist.pendingHandover(eventId, ticketTypeId);
    const event = await this.deps.events.get(eventId);
    if (!event) return 0;
    const seated = event.seating?.sections.some((section) => section.ticketTypeId === ticketTypeId);
    const skipped = new Set<string>();
    let offers = 0;
    let lagging = 0;
    for (let round = 0; round < HANDOVER_ROUNDS; round++) {
      const stock = await this.deps.waitlist.stock(eventId, ticketTypeId);
      if (!stock || stock.reserved <= 0) {
        if (marker) await this.deps.waitlist.endHandover(marker);
        return offers;
      }
      const seats = seated ? await this.poolSeats(event, ticketTypeId) : [];
      const now = this.deps.clock.now();
      const onSale = stock.status === 'PUBLISHED' && stock.startsAt > now.toISOString();
      const line = onSale
        ? await this.deps.waitlist.line(eventId, ticketTypeId, LINE_LOOKAHEAD)
        : [];
      if (onSale && line.length < Math.min(stock.waiting, LINE_LOOKAHEAD)) {
        // The line's index has not caught up with an entry the counters count: deciding
        // now could put its tickets on sale past it.
        if (++lagging > LAGGING_READS) return offers;
        await new Promise((resolve) => setTimeout(resolve, LAG_PAUSE_MS * lagging));
        continue;
      }
      const free = seated ? seats.length : stock.reserved + stock.available;
      const entry = line.find((e) => !skipped.has(e.id) && e.quantity <= free);
      if (!entry) {
        await this.deps.waitlist.releasePool(eventId, ticketTypeId, {
          count: stock.reserved,
          seatIds: seats,
          joined: stock.joined,
        });
        continue;
      }
      const outcome = await this.offer(event, stock, entry, seated ? seats : undefined, now);
      if (outcome === 'offered') offers++;
      if (outcome === 'customer-at-cap') skipped.add(entry.id);
    }
    return offers;
  }

  private async offer(
    event: EventState,
    stock: WaitlistStock,
    entry: WaitlistEntry,
    poolSeats: readonly string[] | undefined,
    now: Date,
  ) {
    // SPEC: freed seats are offered as they are, the first of the pool in seat order.
    const seatIds = poolSeats?.slice(0, entry.quantity);
    const order: Order = {
      id: this.deps.newId(),
      eventId: event.id,
      eventName: event.name,
      organizerId: event.organizerId,
      customer: entry.customer,
      items: [
        {
          ticketTypeId: entry.ticketTypeId,
          quantity: entry.quantity,
          unitPriceCents: stock.priceCents,
          ...(seatIds && { seatIds }),
        },
      ],
      amountCents: entry.quantity * stock.priceCents,
      currency: event.currency,
      status: 'HELD',
      expiresAt: new Date(now.getTime() + stock.holdSeconds * 1000).toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const outcome = await this.deps.waitlist.offer(entry, order, {
      fromPool: Math.min(stock.reserved, entry.quantity),
      perCustomer: stock.maxTicketsPerOrder,
      now: now.toISOString(),
    });
    if (outcome !== 'offered') return outcome;
    try {
      await this.deps.scheduler.scheduleExpiry(order.id, order.expiresAt);
    } catch (error) {
      this.deps.onRecoverableError('Could not schedule the offer’s expiry', error);
    }
    await this.deps.outbox.relay(order.id, 'waitlist-offer');
    return outcome;
  }

  private poolSeats(event: EventState, ticketTypeId: string): Promise<string[]> {
    const sections = (event.seating?.sections ?? [])
      .filter((section) => section.ticketTypeId === ticketTypeId)
      .map(({ name }) => name);
    return this.deps.waitlist.reservedSeats(event.id, sections);
  }
}
