import {
  AlreadyWaitlisted,
  ConcurrentModification,
  EventNotOnSale,
  LimitExceeded,
  NotFound,
  NotSoldOut,
  ValidationFailed,
} from './errors.js';
import { canManage } from './events.js';
import { requireCustomer } from './order-access.js';
import type { OrderDeps } from './order-ports.js';
import { isAdmin, type Principal } from './principal.js';
import {
  type JoinWaitlistInput,
  toWaitlistEntryView,
  type WaitlistEntry,
  type WaitlistEntryView,
} from './waitlist-model.js';

/** A customer's entries a list shows at most, newest first. */
export const MY_WAITLIST_LIMIT = 100;
/** Leaving re-reads and tries again this often when an offer lands at the same time. */
const LEAVE_ATTEMPTS = 3;

/** Joining, reading and leaving the line; the hand-over (`WaitlistHandover`) serves it. */
export class Waitlist {
  constructor(private readonly deps: Pick<OrderDeps, 'waitlist' | 'events' | 'clock' | 'newId'>) {}

  async join(
    principal: Principal,
    eventId: string,
    input: JoinWaitlistInput,
  ): Promise<WaitlistEntryView> {
    const customer = requireCustomer(principal);
    const event = await this.deps.events.get(eventId);
    if (!event || (event.status === 'DRAFT' && !canManage(principal, event))) {
      throw new NotFound(`Event ${eventId} not found`);
    }
    const now = this.deps.clock.now().toISOString();
    if (event.status !== 'PUBLISHED' || event.startsAt <= now) {
      throw new EventNotOnSale('Tickets for this event are not on sale');
    }
    if (!event.ticketTypes.some(({ id }) => id === input.ticketTypeId)) {
      throw new ValidationFailed('No such ticket type', [
        { path: 'body.ticketTypeId', message: 'not a ticket type of this event' },
      ]);
    }
    if (input.quantity > event.maxTicketsPerOrder) {
      throw new LimitExceeded(`At most ${event.maxTicketsPerOrder} tickets per order`);
    }
    const entry: WaitlistEntry = {
      id: this.deps.newId(),
      eventId,
      ticketTypeId: input.ticketTypeId,
      quantity: input.quantity,
      status: 'WAITING',
      customer,
      createdAt: now,
      updatedAt: now,
    };
    // The sold-out check is the write's own condition, never this read's.
    const outcome = await this.deps.waitlist.join(entry, now);
    if (outcome === 'not-sold-out') {
      throw new NotSoldOut(`${input.quantity} of these tickets can still be bought`);
    }
    if (outcome === 'not-on-sale')
      throw new EventNotOnSale('Tickets for this event are not on sale');
    if (outcome === 'already-waitlisted') {
      throw new AlreadyWaitlisted('You are already waiting for this ticket type');
    }
    return toWaitlistEntryView(entry, await this.deps.waitlist.positionOf(entry));
  }

  async listMine(principal: Principal): Promise<{ items: WaitlistEntryView[] }> {
    const { userId } = requireCustomer(principal);
    const entries = await this.deps.waitlist.listByCustomer(userId);
    const items = await Promise.all(
      entries.map(async (entry) =>
        toWaitlistEntryView(
          entry,
          entry.status === 'WAITING' ? await this.deps.waitlist.positionOf(entry) : undefined,
        ),
      ),
    );
    return { items };
  }

  /**
   * Out of line (WAITING), or the record of an offer forgotten (OFFERED: its order stays,
   * to be paid or cancelled as any other). The owner or an admin; others learn nothing.
   */
  async leave(principal: Principal, entryId: string): Promise<void> {
    requireCustomer(principal);
    for (let attempt = 0; attempt < LEAVE_ATTEMPTS; attempt++) {
      const entry = await this.deps.waitlist.get(entryId);
      if (!entry || (entry.customer.userId !== principal.userId && !isAdmin(principal))) {
        throw new NotFound(`Waitlist entry ${entryId} not found`);
      }
      if (await this.deps.waitlist.remove(entry)) return;
    }
    throw new ConcurrentModification('The entry kept changing; try again');
  }
}
