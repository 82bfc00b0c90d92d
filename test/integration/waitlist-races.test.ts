import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoWaitlistRepository } from '../../shared/adapters/dynamo-waitlist-repository.js';
import { eventKeys } from '../../shared/db/table.js';
import { ConcurrentModification, SoldOut } from '../../shared/domain/errors.js';
import type { Principal } from '../../shared/domain/principal.js';
import { Waitlist } from '../../shared/domain/waitlist.js';
import { createPublishedEvent, readInventory, readTicketType } from '../support/events-api.js';
import { customerContext, organizerContext } from '../support/events-fixtures.js';
import {
  documentClient,
  expectStockInvariant,
  mapBounded,
  type OrderHarness,
  orderHarness,
  principalOf,
  readOrderItem,
  tableName,
} from '../support/orders-api.js';

/*
 * Freed tickets reach the waiting customer before anyone else: a buyer hammering the
 * event while a hold is cancelled never gets them, because the release's own transaction
 * puts them in the line's pool, which public holds cannot take.
 */

const waitlistRepository = new DynamoWaitlistRepository(documentClient, tableName);

function waitlistOf(harness: OrderHarness) {
  return new Waitlist({
    waitlist: waitlistRepository,
    events: harness.events,
    clock: harness.clock,
    newId: () => crypto.randomUUID(),
  });
}

/** One ticket, held by one customer, and one customer waiting for it. */
async function oneTicketAndOneWaiter(harness: OrderHarness) {
  const event = await createPublishedEvent(organizerContext(), {
    ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 1 }],
    maxTicketsPerOrder: 4,
  });
  const ticketTypeId: string = event.ticketTypes[0].id;
  const holder = principalOf(customerContext());
  const held = await harness.service.hold(holder, event.id, {
    items: [{ ticketTypeId, quantity: 1 }],
  });
  const waiter = principalOf(customerContext());
  const entry = await waitlistOf(harness).join(waiter, event.id, { ticketTypeId, quantity: 1 });
  return { eventId: event.id as string, ticketTypeId, holder, held, waiter, entry };
}

/**
 * The holder cancels while a buyer keeps trying to hold the ticket, from before the
 * cancel until after it answered; how many holds the buyer got.
 */
async function releaseUnderFire(
  harness: OrderHarness,
): Promise<{ buyerWins: number; offered: boolean }> {
  const { eventId, ticketTypeId, holder, held, entry } = await oneTicketAndOneWaiter(harness);
  const buyer: Principal = principalOf(customerContext());
  let cancelled = false;
  let attemptsAfter = 0;
  let buyerWins = 0;
  const hammer = async () => {
    while (!cancelled || attemptsAfter < 3) {
      if (cancelled) attemptsAfter++;
      try {
        await harness.service.hold(buyer, eventId, { items: [{ ticketTypeId, quantity: 1 }] });
        buyerWins++;
      } catch (error) {
        if (!(error instanceof SoldOut) && !(error instanceof ConcurrentModification)) throw error;
      }
    }
  };
  const hammering = [hammer(), hammer(), hammer()];
  await new Promise((resolve) => setTimeout(resolve, 5));
  await harness.service.cancel(holder, held.id);
  cancelled = true;
  await Promise.all(hammering);
  const stock = await readTicketType(eventId, ticketTypeId);
  expectStockInvariant({
    ...stock,
    available: stock.available + reservedOf(await readInventory(eventId), ticketTypeId),
  });
  const after = await waitlistRepository.get(entry.id);
  return { buyerWins, offered: after?.status === 'OFFERED' };
}

const reservedOf = (inventory: Record<string, unknown>, ticketTypeId: string) =>
  (inventory[`reserved#${ticketTypeId}`] as number | undefined) ?? 0;

describe('release vs a buyer hammering the event', () => {
  it('× 100: the buyer never gets the freed ticket; the waiting customer is offered it every time', async () => {
    const harness = orderHarness();
    const rounds = await mapBounded(Array.from({ length: 100 }), 4, () =>
      releaseUnderFire(harness),
    );

    expect(rounds.filter((round) => round.buyerWins > 0)).toEqual([]);
    expect(rounds.every((round) => round.offered)).toBe(true);
  }, 180_000);

  it('CONTROL: released straight to public sale ahead of the hand-over, the buyer gets it first', async () => {
    // What a release without the pool does: the ticket is on sale before the offer is made.
    const harness = orderHarness({
      wrap: (inner) =>
        Object.assign(Object.create(inner), {
          cancelHeld: async (...args: Parameters<typeof inner.cancelHeld>) => {
            const released = await inner.cancelHeld(...args);
            for (const ticketTypeId of released?.pooled ?? []) {
              await leakPool(args[0].eventId, ticketTypeId);
            }
            return released;
          },
        }),
    });
    const rounds = await mapBounded(Array.from({ length: 30 }), 4, () => releaseUnderFire(harness));

    expect(rounds.filter((round) => round.buyerWins > 0).length).toBeGreaterThan(0);
  }, 180_000);
});

/** Moves one ticket from the type's pool onto public sale, unguarded. */
async function leakPool(eventId: string, ticketTypeId: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: eventKeys.inventory(eventId),
      UpdateExpression: 'ADD #reserved :minusOne, ticketTypes.#t.available :one',
      ExpressionAttributeNames: { '#reserved': `reserved#${ticketTypeId}`, '#t': ticketTypeId },
      ExpressionAttributeValues: { ':minusOne': -1, ':one': 1 },
    }),
  );
}

describe('leaving the line while the offer is being made', () => {
  it('× 30: either the entry left first and the ticket went on sale, or the offer was made and the entry forgotten; nothing lost', async () => {
    const harness = orderHarness();
    const outcomes = await mapBounded(Array.from({ length: 30 }), 4, async () => {
      const { eventId, ticketTypeId, holder, held, waiter, entry } =
        await oneTicketAndOneWaiter(harness);
      await Promise.all([
        harness.service.cancel(holder, held.id),
        waitlistOf(harness).leave(waiter, entry.id),
      ]);
      expect(await waitlistRepository.get(entry.id)).toBeNull();
      const inventory = await readInventory(eventId);
      expect(reservedOf(inventory, ticketTypeId)).toBe(0);
      expect((inventory as Record<string, unknown>)[`waiting#${ticketTypeId}`]).toBe(0);
      const stock = await readTicketType(eventId, ticketTypeId);
      expectStockInvariant(stock);
      const offers = await harness.service.listMine(waiter, { limit: 10 });
      if (stock.available === 1) {
        expect(offers.items).toEqual([]);
        return 'left first';
      }
      expect(offers.items).toHaveLength(1);
      expect((await readOrderItem(offers.items[0]?.id ?? ''))?.status).toBe('HELD');
      return 'offered first';
    });
    expect(outcomes).toHaveLength(30);
  }, 120_000);
});

describe('a hand-over that stops half-way', () => {
  it('keeps the tickets off sale, and the sweep makes the offer', async () => {
    let failLine = true;
    const harness = orderHarness({
      wrapWaitlist: (inner) =>
        Object.assign(Object.create(inner), {
          line: async (...args: Parameters<typeof inner.line>) => {
            if (failLine) throw new Error('crash before the offer');
            return inner.line(...args);
          },
        }),
    });
    const { eventId, ticketTypeId, holder, held, entry } = await oneTicketAndOneWaiter(harness);

    await harness.service.cancel(holder, held.id);

    expect(harness.recoverable.map(({ message }) => message)).toEqual([
      `Waitlist hand-over of ${eventId}/${ticketTypeId}`,
    ]);
    expect(reservedOf(await readInventory(eventId), ticketTypeId)).toBe(1);
    await expect(
      harness.service.hold(principalOf(customerContext()), eventId, {
        items: [{ ticketTypeId, quantity: 1 }],
      }),
    ).rejects.toBeInstanceOf(SoldOut);

    failLine = false;
    harness.clock.advance(31_000);
    await harness.service.sweep();

    expect((await waitlistRepository.get(entry.id))?.status).toBe('OFFERED');
    expect(reservedOf(await readInventory(eventId), ticketTypeId)).toBe(0);
    expect(await waitlistRepository.pendingHandover(eventId, ticketTypeId)).toBeNull();
  });
});
