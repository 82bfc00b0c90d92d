import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import { analyticsKeys } from '../../shared/db/table.js';
import { DomainError } from '../../shared/domain/errors.js';
import type { Order } from '../../shared/domain/order-model.js';
import {
  createPublishedEvent,
  createSeatedEvent,
  readInventory,
  seatRows,
} from '../support/events-api.js';
import {
  type AuthenticatedContext,
  customerContext,
  eventBody,
  organizerContext,
} from '../support/events-fixtures.js';
import { expectProblem, invoke, type TestResponse } from '../support/invoke.js';
import {
  documentClient,
  expectStockInvariant,
  mapBounded,
  orderHarness,
  principalOf,
  readEventOrders,
  readLiveTickets,
  readOrderItem,
  setExpiresAt,
  tableName,
} from '../support/orders-api.js';
import { unguardedPutsClient } from '../support/unguarded-client.js';

/*
 * Holds by seat: the seats are taken, sold and released in the same transaction as the
 * order, so the seat map, the orders and the INVENTORY counters never disagree.
 */

/** GA by count beside Stalls (20 seats in Main, 4 in Side) and Box (4 seats). */
const seatedEvent = (overrides: Record<string, unknown> = {}) =>
  createSeatedEvent({ main: [10, 10], side: [4], box: [4] }, overrides);

function holdSeats(as: AuthenticatedContext, eventId: string, body: unknown) {
  return invoke('POST', `/v1/events/${eventId}/orders`, { as, body });
}

/** The whole seat map, every page. */
async function seatMap(eventId: string): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '1000' });
    if (cursor !== null) query.set('cursor', cursor);
    const response = await invoke('GET', `/v1/events/${eventId}/seats?${query}`, {
      as: customerContext(),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    for (const seat of response.body.items) statuses.set(seat.id, seat.status);
    cursor = response.body.nextCursor;
  } while (cursor !== null);
  return statuses;
}

/** The seats the map shows as not AVAILABLE, with their status. */
async function takenOnMap(eventId: string): Promise<Record<string, string>> {
  const map = await seatMap(eventId);
  return Object.fromEntries([...map].filter(([, status]) => status !== 'AVAILABLE'));
}

/** Every stored seat item of these sections, by default those of `seatedEvent`. */
async function seatItemsOf(
  eventId: string,
  sections: readonly string[] = ['Main', 'Side', 'Box'],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const section of sections) {
    const { Items = [] } = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `EVENT#${eventId}#SEATS#${section}` },
        ConsistentRead: true,
      }),
    );
    items.push(...Items);
  }
  return items;
}

/**
 * What a refused hold must leave as it was: the INVENTORY item, the whole seat map and the
 * stored seat items of these sections.
 */
async function stockOf(eventId: string, sections?: readonly string[]) {
  return {
    inventory: await readInventory(eventId),
    map: await seatMap(eventId),
    seats: await seatItemsOf(eventId, sections),
  };
}

async function holdOk(as: AuthenticatedContext, eventId: string, seatIds: string[]) {
  const response = await holdSeats(as, eventId, { seatIds });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

describe('holding by seatIds', () => {
  it('takes exactly those seats: the map shows them HELD, the order lists them, the counters move', async () => {
    // Prepare
    const { event, stalls, box } = await seatedEvent();
    const customer = customerContext();
    const seatIds = ['Main-B-3', 'Box-A-1', 'Main-A-10', 'Side-A-4'];

    // Act
    const response = await holdSeats(customer, event.id, { seatIds });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.items).toEqual([
      {
        ticketTypeId: stalls,
        quantity: 3,
        unitPriceCents: 6000,
        seatIds: ['Main-B-3', 'Main-A-10', 'Side-A-4'],
      },
      { ticketTypeId: box, quantity: 1, unitPriceCents: 15000, seatIds: ['Box-A-1'] },
    ]);
    expect(response.body.amountCents).toBe(3 * 6000 + 15000);
    expect(await takenOnMap(event.id)).toEqual(
      Object.fromEntries(seatIds.map((id) => [id, 'HELD'])),
    );
    const inventory = await readInventory(event.id);
    expect(inventory.ticketTypes[stalls]).toMatchObject({ capacity: 24, available: 21, held: 3 });
    expect(inventory.ticketTypes[box]).toMatchObject({ capacity: 4, available: 3, held: 1 });
    expect(await readLiveTickets(event.id, customer.userId)).toBe(4);
    const stored = await readOrderItem(response.body.id);
    expect(stored?.items).toEqual(response.body.items);
  });

  it('stores each seat item under its section partition, naming the order', async () => {
    const { event } = await seatedEvent();
    const order = await holdOk(customerContext(), event.id, ['Main-A-7']);

    const Items = await seatItemsOf(event.id);
    expect(Items).toEqual([
      {
        pk: `EVENT#${event.id}#SEATS#Main`,
        sk: 'A#007',
        entity: 'Seat',
        eventId: event.id,
        seatId: 'Main-A-7',
        orderId: order.id,
        status: 'HELD',
      },
    ]);
  });

  it('a taken seat: 409 SEAT_UNAVAILABLE naming exactly it, and nothing written', async () => {
    // Prepare
    const { event } = await seatedEvent();
    await holdOk(customerContext(), event.id, ['Main-A-2', 'Main-A-3']);
    const inventory = await readInventory(event.id);
    const seatItems = await seatItemsOf(event.id);
    const late = customerContext();

    // Act
    const response = await holdSeats(late, event.id, {
      seatIds: ['Main-A-1', 'Main-A-3', 'Box-A-2', 'Main-A-2'],
    });

    // Assess
    expectProblem(response, 409, 'SEAT_UNAVAILABLE');
    expect(response.body.errors).toEqual([
      { path: 'body.seatIds.1', message: 'seat Main-A-3 is not available' },
      { path: 'body.seatIds.3', message: 'seat Main-A-2 is not available' },
    ]);
    expect(response.body.detail).toContain('Main-A-3');
    expect(await readInventory(event.id)).toEqual(inventory);
    expect(await seatItemsOf(event.id)).toEqual(seatItems);
    expect(await readLiveTickets(event.id, late.userId)).toBe(0);
    expect((await readEventOrders(event.id)).length).toBe(1);
  });

  const badBodies: [string, (ids: { ga: string }) => unknown, string][] = [
    ['an unknown seat', () => ({ seatIds: ['Main-A-1', 'Main-C-1'] }), 'body.seatIds.1'],
    ['a seat number past its row', () => ({ seatIds: ['Main-A-11'] }), 'body.seatIds.0'],
    ['a malformed seat id', () => ({ seatIds: ['Main-A-01'] }), 'body.seatIds.0'],
    ['a duplicate seat', () => ({ seatIds: ['Main-A-1', 'Main-A-1'] }), 'body.seatIds'],
    ['no seats', () => ({ seatIds: [] }), 'body.seatIds'],
    [
      'more seats than an order may have',
      () => ({ seatIds: Array.from({ length: 91 }, (_, i) => `Main-A-${i + 1}`) }),
      'body',
    ],
    [
      'seatIds with items',
      ({ ga }) => ({ seatIds: ['Main-A-1'], items: [{ ticketTypeId: ga, quantity: 1 }] }),
      'body',
    ],
  ];

  // The union says no more than `body` when neither form fits the body as a whole.
  it.each(badBodies)('%s: 400 at its path, nothing written', async (_, body, path) => {
    // Prepare: a hold already, so the stock that must not move is not all empty
    const { event, ga } = await seatedEvent();
    await holdOk(customerContext(), event.id, ['Side-A-1', 'Side-A-2']);
    const before = await stockOf(event.id);

    // Act
    const response = await holdSeats(customerContext(), event.id, body({ ga }));

    // Assess
    expectProblem(response, 400, 'VALIDATION_FAILED');
    const paths = response.body.errors.map((error: { path: string }) => error.path);
    expect(paths).toContain(path);
    expect(await stockOf(event.id)).toEqual(before);
    expect(await readEventOrders(event.id)).toHaveLength(1);
  });

  it("another event's seat: 400 at its path, and neither event's stock moves", async () => {
    // Prepare: another event with a Main section like this one's, and a Gallery
    const { event } = await seatedEvent();
    const other = await createPublishedEvent(
      organizerContext(),
      eventBody({
        ticketTypes: [{ name: 'Seat', priceCents: 3000 }],
        seating: {
          sections: [
            { name: 'Main', ticketType: 'Seat', rows: seatRows(10) },
            { name: 'Gallery', ticketType: 'Seat', rows: seatRows(5) },
          ],
        },
      }),
    );
    await holdOk(customerContext(), event.id, ['Side-A-1']);
    const before = [await stockOf(event.id), await stockOf(other.id, ['Main', 'Gallery'])];

    // Act
    const response = await holdSeats(customerContext(), event.id, {
      seatIds: ['Main-A-1', 'Gallery-A-1'],
    });

    // Assess
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      { path: 'body.seatIds.1', message: 'not a seat of this event' },
    ]);
    expect([await stockOf(event.id), await stockOf(other.id, ['Main', 'Gallery'])]).toEqual(before);
  });

  it.each([
    ['3 seats where the event allows 2', { maxTicketsPerOrder: 2 }, 3],
    ['11 seats where the default allows 10', {}, 11],
  ])(
    '%s: 400 LIMIT_EXCEEDED, nothing written; one seat fewer is held',
    async (_, overrides, count) => {
      // Prepare
      const { event } = await seatedEvent(overrides);
      expect(event.maxTicketsPerOrder).toBe(count - 1);
      await holdOk(customerContext(), event.id, ['Side-A-1']);
      const before = await stockOf(event.id);
      const seatIds = Array.from(
        { length: count },
        (_, i) => `Main-${i < 10 ? 'A' : 'B'}-${(i % 10) + 1}`,
      );

      // Act
      const response = await holdSeats(customerContext(), event.id, { seatIds });

      // Assess
      expectProblem(response, 400, 'LIMIT_EXCEEDED');
      expect(await stockOf(event.id)).toEqual(before);
      await holdOk(customerContext(), event.id, seatIds.slice(1));
    },
  );

  it('seatIds on an event without seating: 400 at body.seatIds, nothing written', async () => {
    const event = await createPublishedEvent(organizerContext());
    const inventory = await readInventory(event.id);

    const response = await holdSeats(customerContext(), event.id, { seatIds: ['Main-A-1'] });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      { path: 'body.seatIds', message: 'this event has no seats: hold by items' },
    ]);
    expect(await readInventory(event.id)).toEqual(inventory);
  });
});

describe('selling and releasing seats with their order', () => {
  async function heldSeats(seatIds: string[]) {
    const world = await seatedEvent();
    const customer = customerContext();
    const order = await holdOk(customer, world.event.id, seatIds);
    return { ...world, customer, order };
  }

  /** The seats are AVAILABLE again, and someone else can hold them. */
  async function expectReleased(eventId: string, seatIds: string[], stalls: string) {
    expect(await takenOnMap(eventId)).toEqual({});
    expect(await seatItemsOf(eventId)).toEqual([]);
    const inventory = await readInventory(eventId);
    expect(inventory.ticketTypes[stalls]).toMatchObject({ available: 24, held: 0, sold: 0 });
    await holdOk(customerContext(), eventId, seatIds);
    expect(await takenOnMap(eventId)).toEqual(
      Object.fromEntries(seatIds.map((id) => [id, 'HELD'])),
    );
  }

  const pay = (as: AuthenticatedContext, orderId: string): Promise<TestResponse> =>
    invoke('POST', `/v1/orders/${orderId}/pay`, { as, body: { paymentToken: 'tok_visa' } });

  it('pay: the seats are SOLD', async () => {
    const { event, customer, order, stalls } = await heldSeats(['Main-A-1', 'Side-A-1']);

    expect((await pay(customer, order.id)).status).toBe(200);

    expect(await takenOnMap(event.id)).toEqual({ 'Main-A-1': 'SOLD', 'Side-A-1': 'SOLD' });
    const inventory = await readInventory(event.id);
    expect(inventory.ticketTypes[stalls]).toMatchObject({ available: 22, held: 0, sold: 2 });
    const again = await holdSeats(customerContext(), event.id, { seatIds: ['Side-A-1'] });
    expectProblem(again, 409, 'SEAT_UNAVAILABLE');
  });

  it('cancel of a hold: the seats are AVAILABLE again', async () => {
    const seatIds = ['Main-A-1', 'Side-A-1'];
    const { event, customer, order, stalls } = await heldSeats(seatIds);

    const cancelled = await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });

    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await expectReleased(event.id, seatIds, stalls);
  });

  it('expiry: HELD on the map and not for sale until the job releases them, then AVAILABLE again', async () => {
    const seatIds = ['Main-B-10', 'Main-B-9'];
    const { event, order, stalls } = await heldSeats(seatIds);
    await setExpiresAt(order.id, new Date(Date.now() - 1000).toISOString());

    expect(await takenOnMap(event.id)).toEqual({ 'Main-B-10': 'HELD', 'Main-B-9': 'HELD' });
    const early = await holdSeats(customerContext(), event.id, { seatIds: ['Main-B-9'] });
    expectProblem(early, 409, 'SEAT_UNAVAILABLE');
    expect(await expireHold({ orderId: order.id })).toEqual({ expired: true });

    await expectReleased(event.id, seatIds, stalls);
  });

  it('refund of a paid order: the seats are AVAILABLE again', async () => {
    const seatIds = ['Side-A-2'];
    const { event, customer, order, stalls } = await heldSeats(seatIds);
    expect((await pay(customer, order.id)).status).toBe(200);

    const refunded = await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });

    expect(refunded.body.status).toBe('REFUNDED');
    await expectReleased(event.id, seatIds, stalls);
  });

  it('stats count seated orders like any other: held, sold, revenue, refunds', async () => {
    const { organizer, event, stalls, box } = await seatedEvent();
    const payer = customerContext();
    const paid = await holdOk(payer, event.id, ['Main-A-1', 'Main-A-2', 'Box-A-1']);
    expect((await pay(payer, paid.id)).status).toBe(200);
    await holdOk(customerContext(), event.id, ['Side-A-1']);
    const refunder = customerContext();
    const refunded = await holdOk(refunder, event.id, ['Main-B-1']);
    expect((await pay(refunder, refunded.id)).status).toBe(200);
    expect(
      (await invoke('POST', `/v1/orders/${refunded.id}/cancel`, { as: refunder })).status,
    ).toBe(200);

    const stats = await invoke('GET', `/v1/events/${event.id}/stats`, { as: organizer });

    expect(stats.status, JSON.stringify(stats.body)).toBe(200);
    expect(stats.body.orders).toMatchObject({ held: 1, confirmed: 1, refunded: 1 });
    const byType = (id: string) =>
      stats.body.ticketTypes.find((type: { id: string }) => type.id === id);
    expect(byType(stalls)).toMatchObject({
      capacity: 24,
      sold: 2,
      held: 1,
      available: 21,
      revenueCents: 2 * 6000,
    });
    expect(byType(box)).toMatchObject({ capacity: 4, sold: 1, held: 0, revenueCents: 15000 });
    // Admin analytics read the days' counters, which the same transitions moved.
    const { Item: day } = await documentClient.send(
      new GetCommand({
        TableName: tableName,
        Key: analyticsKeys.eventDay(paid.createdAt.slice(0, 10), event.id),
        ConsistentRead: true,
      }),
    );
    expect(day).toMatchObject({
      confirmed: 1,
      refunded: 1,
      ticketsSold: 3,
      revenueCents: 2 * 6000 + 15000,
    });
  });

  it('event cancellation: held and sold seats are released', async () => {
    const { organizer, event, stalls } = await seatedEvent();
    const payer = customerContext();
    const paid = await holdOk(payer, event.id, ['Main-A-5']);
    expect((await pay(payer, paid.id)).status).toBe(200);
    await holdOk(customerContext(), event.id, ['Main-A-6', 'Box-A-4']);

    const cancelled = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(await takenOnMap(event.id)).toEqual({});
    expect(await seatItemsOf(event.id)).toEqual([]);
    const inventory = await readInventory(event.id);
    expect(inventory.ticketTypes[stalls]).toMatchObject({ available: 24, held: 0, sold: 0 });
  });
});

describe('1,000 buyers racing for overlapping pairs and triples of 200 seats', () => {
  const BUYERS = 1_000;
  const ROWS = 10;
  const SEATS_PER_ROW = 20;
  const SEATS = ROWS * SEATS_PER_ROW;

  const seatAt = (index: number): string => {
    const place = index % SEATS;
    const row = String.fromCharCode(65 + Math.floor(place / SEATS_PER_ROW));
    return `Hall-${row}-${(place % SEATS_PER_ROW) + 1}`;
  };

  /**
   * Buyer i wants a pair (even i) or a triple (odd i) from seat ⌊i / 5⌋ on, across a row's
   * end and round from the last seat to the first: five buyers start at each seat, each
   * seat is wanted by about twelve, and the sixteen in flight at a time want neighbouring
   * seats.
   */
  function wants(): string[][] {
    return Array.from({ length: BUYERS }, (_, buyer) =>
      Array.from({ length: 2 + (buyer % 2) }, (_, offset) =>
        seatAt(Math.floor(buyer / 5) + offset),
      ),
    );
  }

  async function race(client: 'guarded' | 'unguarded') {
    const organizer = organizerContext();
    const event = await createPublishedEvent(
      organizer,
      eventBody({
        ticketTypes: [{ name: 'Hall', priceCents: 5000 }],
        seating: {
          sections: [
            {
              name: 'Hall',
              ticketType: 'Hall',
              rows: seatRows(...Array<number>(ROWS).fill(SEATS_PER_ROW)),
            },
          ],
        },
      }),
    );
    const harness = orderHarness(
      client === 'unguarded'
        ? { wrap: () => new DynamoOrderRepository(unguardedPutsClient, tableName) }
        : {},
    );
    const outcomes = await mapBounded(wants(), 16, async (seatIds) => {
      try {
        const order = await harness.service.hold(principalOf(customerContext()), event.id, {
          seatIds,
        });
        return { seatIds, order };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return { seatIds, code: error.code };
      }
    });
    const orders = (await readEventOrders(event.id)) as Order[];
    return { event, outcomes, orders };
  }

  /** How many live orders have each seat. */
  function holdersPerSeat(orders: Order[]): Map<string, number> {
    const holders = new Map<string, number>();
    for (const order of orders.filter(({ status }) => status === 'HELD')) {
      for (const seat of order.items.flatMap((item) => item.seatIds ?? [])) {
        holders.set(seat, (holders.get(seat) ?? 0) + 1);
      }
    }
    return holders;
  }

  it('no seat is in two live orders; each order holds exactly its seats; map, seat items, orders and counters agree', async () => {
    // Act
    const started = Date.now();
    const { event, outcomes, orders } = await race('guarded');

    // Assess
    const won = outcomes.filter((outcome) => outcome.order);
    const refused = outcomes.filter((outcome) => outcome.code);
    const count = (code: string) => refused.filter((outcome) => outcome.code === code).length;
    console.log(
      `seat race: ${won.length} held (${won.filter(({ seatIds }) => seatIds.length === 3).length} triples), ` +
        `${count('SEAT_UNAVAILABLE')} SEAT_UNAVAILABLE, ${count('CONCURRENT_MODIFICATION')} ` +
        `CONCURRENT_MODIFICATION, in ${Date.now() - started} ms`,
    );
    expect(won.length + refused.length).toBe(BUYERS);
    expect(won.some(({ seatIds }) => seatIds.length === 2)).toBe(true);
    expect(won.some(({ seatIds }) => seatIds.length === 3)).toBe(true);
    for (const { code } of refused) {
      expect(['SEAT_UNAVAILABLE', 'CONCURRENT_MODIFICATION']).toContain(code);
    }
    // Each order as answered and as stored holds exactly the seats its buyer asked for.
    for (const { seatIds, order } of won) {
      expect(order?.items.flatMap((item) => item.seatIds ?? [])).toEqual(seatIds);
    }
    expect(orders.map(({ id }) => id).sort()).toEqual(won.map(({ order }) => order?.id).sort());
    const answered = new Map(won.map(({ order }) => [order?.id, order?.items]));
    for (const order of orders) expect(order.items).toEqual(answered.get(order.id));
    // No seat twice, and each taken seat's item names the one order that lists it.
    const holders = holdersPerSeat(orders);
    expect([...holders].filter(([, count]) => count > 1)).toEqual([]);
    const holderOf = new Map(
      orders.flatMap((order) =>
        order.items.flatMap((item) => (item.seatIds ?? []).map((seat) => [seat, order.id])),
      ),
    );
    const seatItems = await seatItemsOf(event.id, ['Hall']);
    expect(
      Object.fromEntries(seatItems.map((item) => [item.seatId, [item.orderId, item.status]])),
    ).toEqual(Object.fromEntries([...holderOf].map(([seat, id]) => [seat, [id, 'HELD']])));
    expect(await takenOnMap(event.id)).toEqual(
      Object.fromEntries([...holders.keys()].map((seat) => [seat, 'HELD'])),
    );
    const held = won.reduce((sum, { seatIds }) => sum + seatIds.length, 0);
    const hall = Object.values((await readInventory(event.id)).ticketTypes)[0];
    expect(hall).toMatchObject({ capacity: SEATS, held, available: SEATS - held, sold: 0 });
    if (hall) expectStockInvariant(hall);
  }, 120_000);

  it('CONTROL: without the seat Puts’ condition the same race sells a seat twice', async () => {
    const { orders } = await race('unguarded');

    const holders = holdersPerSeat(orders);
    expect([...holders.values()].some((count) => count > 1)).toBe(true);
  }, 120_000);
});
