import { describe, expect, it } from 'vitest';
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
import { expectProblem, invoke } from '../support/invoke.js';
import {
  expectStockInvariant,
  mapBounded,
  orderHarness,
  principalOf,
  readEventOrders,
} from '../support/orders-api.js';

/*
 * Holds by bestAvailable: the server picks the seats, and they go through the same
 * transaction as a hold by seatIds, so the seat map, orders and counters agree.
 */

/** GA beside Stalls (Main: 2 rows of 6; Side: 1 row of 4) and Box (1 row of 4). */
const seatedEvent = () => createSeatedEvent({ main: [6, 6], side: [4], box: [4] });

function hold(as: AuthenticatedContext, eventId: string, body: unknown) {
  return invoke('POST', `/v1/events/${eventId}/orders`, { as, body });
}

async function holdBest(eventId: string, bestAvailable: Record<string, unknown>) {
  const response = await hold(customerContext(), eventId, { bestAvailable });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.items.flatMap((item: { seatIds?: string[] }) => item.seatIds ?? []);
}

/** The seats the map shows as not AVAILABLE, with their status. */
async function takenOnMap(eventId: string): Promise<Record<string, string>> {
  const response = await invoke('GET', `/v1/events/${eventId}/seats?limit=1000`, {
    as: customerContext(),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.nextCursor).toBeNull();
  return Object.fromEntries(
    response.body.items
      .filter((seat: { status: string }) => seat.status !== 'AVAILABLE')
      .map((seat: { id: string; status: string }) => [seat.id, seat.status]),
  );
}

describe('holding by bestAvailable', () => {
  it('takes adjacent seats in the first row; the map shows them HELD, the counters move', async () => {
    const { event, stalls } = await seatedEvent();

    const seats = await holdBest(event.id, { ticketTypeId: stalls, quantity: 3 });

    expect(seats).toEqual(['Main-A-1', 'Main-A-2', 'Main-A-3']);
    expect(await takenOnMap(event.id)).toEqual({
      'Main-A-1': 'HELD',
      'Main-A-2': 'HELD',
      'Main-A-3': 'HELD',
    });
    const counters = (await readInventory(event.id)).ticketTypes[stalls];
    expect(counters).toMatchObject({ held: 3, available: 13 });
  });

  it('a second hold takes the next best seats without leaving an orphan', async () => {
    const { event, stalls } = await seatedEvent();
    await holdBest(event.id, { ticketTypeId: stalls, quantity: 2 });

    // Main-A has 3–6 free: 2 of them fit at 3–4 with 5–6 still a pair.
    expect(await holdBest(event.id, { ticketTypeId: stalls, quantity: 2 })).toEqual([
      'Main-A-3',
      'Main-A-4',
    ]);
    // Main-A has 5–6 left: 3 go to the equally good front row of Side (4 seats), which
    // strands one; Main-B would be a worse row.
    expect(await holdBest(event.id, { ticketTypeId: stalls, quantity: 3 })).toEqual([
      'Side-A-1',
      'Side-A-2',
      'Side-A-3',
    ]);
  });

  it('keeps to the section it names', async () => {
    const { event, stalls } = await seatedEvent();

    const seats = await holdBest(event.id, { ticketTypeId: stalls, quantity: 2, section: 'Side' });

    expect(seats).toEqual(['Side-A-1', 'Side-A-2']);
  });

  it('none left: 409 SOLD_OUT, nothing written', async () => {
    const { event, box } = await seatedEvent();
    await holdBest(event.id, { ticketTypeId: box, quantity: 3 });
    const before = await readInventory(event.id);

    const response = await hold(customerContext(), event.id, {
      bestAvailable: { ticketTypeId: box, quantity: 2 },
    });

    expectProblem(response, 409, 'SOLD_OUT');
    expect(await readInventory(event.id)).toEqual(before);
    expect(Object.keys(await takenOnMap(event.id))).toEqual(['Box-A-1', 'Box-A-2', 'Box-A-3']);
  });

  it('bad input: 400 at its path, nothing written', async () => {
    const { event, ga, stalls, box } = await seatedEvent();
    const cases: [unknown, string][] = [
      [{ bestAvailable: { ticketTypeId: ga, quantity: 2 } }, 'body.bestAvailable.ticketTypeId'],
      [{ bestAvailable: { ticketTypeId: 'nope', quantity: 2 } }, 'body.bestAvailable.ticketTypeId'],
      [{ bestAvailable: { ticketTypeId: stalls, quantity: 0 } }, 'body.bestAvailable.quantity'],
      [{ bestAvailable: { ticketTypeId: stalls, quantity: 91 } }, 'body.bestAvailable.quantity'],
      [
        { bestAvailable: { ticketTypeId: stalls, quantity: 1, section: 'Box' } },
        'body.bestAvailable.section',
      ],
    ];
    for (const [body, path] of cases) {
      const response = await hold(customerContext(), event.id, body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(
        response.body.errors.map((error: { path: string }) => error.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    // Mixing forms is refused too.
    const mixed = await hold(customerContext(), event.id, {
      bestAvailable: { ticketTypeId: box, quantity: 1 },
      seatIds: ['Box-A-1'],
    });
    expectProblem(mixed, 400, 'VALIDATION_FAILED');
    expect((await readInventory(event.id)).orderCount).toBe(0);
    expect(await takenOnMap(event.id)).toEqual({});
  });

  it('more seats than maxTicketsPerOrder: 400 LIMIT_EXCEEDED, nothing written', async () => {
    // Stalls has 16 seats, so 11 are refused for the order limit (10), not as sold out.
    const { event, stalls } = await seatedEvent();
    expect(event.maxTicketsPerOrder).toBe(10);
    const before = await readInventory(event.id);

    const response = await hold(customerContext(), event.id, {
      bestAvailable: { ticketTypeId: stalls, quantity: 11 },
    });

    expectProblem(response, 400, 'LIMIT_EXCEEDED');
    expect(await readInventory(event.id)).toEqual(before);
    expect(await takenOnMap(event.id)).toEqual({});
  });
});

describe('100 buyers racing for the best 2–4 seats of 300', () => {
  const ROWS = 15;
  const SEATS_PER_ROW = 20;
  const BUYERS = 100;

  it('no seat sold twice; parties sit together; map, orders and counters agree', async () => {
    // Prepare
    const event = await createPublishedEvent(
      organizerContext(),
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
    const hall = event.ticketTypes[0].id as string;
    const harness = orderHarness();
    // 2, 3, 4, 2…: 299 seats asked for in all, so the hall ends nearly full.
    const quantities = Array.from({ length: BUYERS }, (_, buyer) => 2 + (buyer % 3));

    // Act
    const outcomes = await mapBounded(quantities, 16, async (quantity) => {
      try {
        const order = await harness.service.hold(principalOf(customerContext()), event.id, {
          bestAvailable: { ticketTypeId: hall, quantity },
        });
        return { quantity, order };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return { quantity, code: error.code };
      }
    });

    // Assess
    const won = outcomes.flatMap(({ order }) => (order ? [order] : []));
    const codes = outcomes.flatMap(({ code }) => (code ? [code] : []));
    // Refused for want of seats, or after losing the race for them 12 times: 16 buyers
    // read the same map and want the same best run, so each round only one of them wins
    // it. About 90 are served here; 5 attempts served about 60 (so this bound fails).
    console.log(
      `best-available race: ${won.length} held, ${codes.filter((c) => c === 'SOLD_OUT').length} SOLD_OUT, ` +
        `${codes.filter((c) => c === 'CONCURRENT_MODIFICATION').length} CONCURRENT_MODIFICATION`,
    );
    expect(won.length).toBeGreaterThan(BUYERS * 0.7);
    for (const code of codes) expect(['SOLD_OUT', 'CONCURRENT_MODIFICATION']).toContain(code);
    const orders = (await readEventOrders(event.id)) as Order[];
    expect(orders.map(({ id }) => id).sort()).toEqual(won.map(({ id }) => id).sort());
    const seatsOf = (order: { items: { seatIds?: string[] }[] }) =>
      order.items.flatMap((item) => item.seatIds ?? []);
    const sold = won.flatMap(seatsOf);
    expect(new Set(sold).size).toBe(sold.length);
    for (const order of won) {
      expect(seatsOf(order)).toHaveLength(ticketCountOf(order));
    }

    // Parties sit side by side in one row unless no row had room for them: a split is
    // only allowed once seats run short, when fewer than a full party's worth of rows
    // are left with a free run of 4.
    const taken = new Set(sold);
    const split = won.filter((order) => !sideBySide(seatsOf(order)));
    console.log(`best-available race: ${won.length} orders, ${split.length} split over rows`);
    const wideRunsLeft = Array.from({ length: ROWS }, (_, r) =>
      freeRuns(taken, String.fromCharCode(65 + r), SEATS_PER_ROW),
    ).filter((runs) => runs.some((run) => run >= 2)).length;
    if (split.length > 0) expect(wideRunsLeft).toBeLessThanOrEqual(1);

    // Orphans: a single free seat with taken seats on both sides. Picks leave none where
    // they can, and the seats that remain free at the end are the leftovers of the last
    // rows to fill; a retry picks from a fresh read, so a lost race cannot leave one.
    const orphans = Array.from({ length: ROWS }, (_, r) =>
      interiorOrphans(taken, String.fromCharCode(65 + r), SEATS_PER_ROW),
    ).reduce((sum, count) => sum + count, 0);
    console.log(`best-available race: ${orphans} single seats left between taken seats`);
    expect(orphans).toBeLessThanOrEqual(2);

    expect(await takenOnMap(event.id)).toEqual(
      Object.fromEntries(sold.map((seat) => [seat, 'HELD'])),
    );
    const counters = (await readInventory(event.id)).ticketTypes[hall];
    expect(counters).toMatchObject({ held: sold.length, available: 300 - sold.length });
    if (counters) expectStockInvariant(counters);
  }, 120_000);
});

const ticketCountOf = (order: { items: { quantity: number }[] }) =>
  order.items.reduce((sum, item) => sum + item.quantity, 0);

/** Whether the seats are one run of consecutive numbers in one row. */
function sideBySide(seatIds: readonly string[]): boolean {
  const places = seatIds.map((id) => id.split('-'));
  const row = places[0]?.[1];
  const numbers = places.map((place) => Number(place[2])).sort((a, b) => a - b);
  return (
    places.every((place) => place[1] === row) &&
    numbers.every((number, index) => index === 0 || number === (numbers[index - 1] ?? 0) + 1)
  );
}

/** The lengths of a row's runs of free seats. */
function freeRuns(taken: ReadonlySet<string>, row: string, seats: number): number[] {
  const runs: number[] = [];
  let run = 0;
  for (let number = 1; number <= seats + 1; number++) {
    if (number <= seats && !taken.has(`Hall-${row}-${number}`)) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  return runs;
}

function interiorOrphans(taken: ReadonlySet<string>, row: string, seats: number): number {
  let count = 0;
  for (let number = 2; number < seats; number++) {
    const at = (n: number) => taken.has(`Hall-${row}-${n}`);
    if (!at(number) && at(number - 1) && at(number + 1)) count++;
  }
  return count;
}
