import { describe, expect, it, vi } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { pickBestSeats } from '../../shared/domain/best-available.js';
import { DomainError } from '../../shared/domain/errors.js';
import type { Order } from '../../shared/domain/order-model.js';
import type { TakenSeat } from '../../shared/domain/seat-map.js';
import type { SeatingLayout } from '../../shared/domain/seating-model.js';
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
    const mapReads = vi.spyOn(DynamoEventRepository.prototype, 'takenSeats');

    const response = await hold(customerContext(), event.id, {
      bestAvailable: { ticketTypeId: box, quantity: 2 },
    });

    expectProblem(response, 409, 'SOLD_OUT');
    // Told by the counters the event read already: the seat map was not read.
    expect(mapReads).not.toHaveBeenCalled();
    mapReads.mockRestore();
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

describe('a best-available hold that keeps losing', () => {
  it('stops picking again once its time budget is spent: 409, and no write is left in flight', async () => {
    // Prepare: every placement loses to "a concurrent buyer", slowly.
    const { event, stalls } = await seatedEvent();
    let placements = 0;
    const harness = orderHarness({
      bestAvailableBudgetMs: 250,
      wrap: (inner) =>
        Object.assign(Object.create(inner), {
          hold: async (order: Order) => {
            placements++;
            await new Promise((resolve) => setTimeout(resolve, 100));
            return { seatsTaken: order.items.flatMap((item) => item.seatIds ?? []) };
          },
        }),
    });

    // Act
    const attempt = harness.service.hold(principalOf(customerContext()), event.id, {
      bestAvailable: { ticketTypeId: stalls, quantity: 2 },
    });

    // Assess: far fewer than the 12 attempts the count alone allows.
    await expect(attempt).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    expect(placements).toBeGreaterThanOrEqual(2);
    expect(placements).toBeLessThanOrEqual(4);
  });
});

describe('500 buyers racing for the best 2–4 seats of 1,000', () => {
  const ROWS = 25;
  const SEATS_PER_ROW = 40;
  const CAPACITY = ROWS * SEATS_PER_ROW;
  const BUYERS = 500;
  const WAVE = 100;
  /**
   * Buyers in flight at once. Each round of buyers who read the same map has one winner
   * for the best run; on 2 shared cores 16 at a time left 8–14% of these buyers with 409
   * after their 12 picks, 8 at a time about 1% (and 18% with 5 picks, which the 5% bound
   * below catches).
   */
  const IN_FLIGHT = 8;
  const rowLabels = Array.from({ length: ROWS }, (_, r) => String.fromCharCode(65 + r));

  it('no seat sold twice; parties sit together when they can; no orphans the picker would not leave; map, orders and counters agree', async () => {
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
    // 2, 3, 4, 2…: 1,499 seats asked for, so the hall sells out in the fourth wave.
    const quantities = Array.from({ length: BUYERS }, (_, buyer) => 2 + (buyer % 3));
    const reference = sequentialPicks(
      { sections: [{ name: 'Hall', ticketTypeId: hall, rows: event.seating.sections[0].rows }] },
      hall,
      quantities,
      WAVE,
    );

    // Act and assess, wave by wave: 100 buyers race, then the map is read while seats
    // are still left, so orphans can be seen before the last buyers fill them.
    const won: Order[] = [];
    const codes: string[] = [];
    let split = 0;
    for (let start = 0; start < BUYERS; start += WAVE) {
      const wave = await mapBounded(
        quantities.slice(start, start + WAVE),
        IN_FLIGHT,
        async (quantity) => {
          try {
            const order = await harness.service.hold(principalOf(customerContext()), event.id, {
              bestAvailable: { ticketTypeId: hall, quantity },
            });
            return { quantity, order: order as unknown as Order };
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            return { quantity, code: error.code };
          }
        },
      );
      const waveOrders = wave.flatMap(({ order }) => (order ? [order] : []));
      won.push(...waveOrders);
      codes.push(...wave.flatMap(({ code }) => (code ? [code] : [])));
      for (const { quantity, order } of wave) {
        if (!order) continue;
        expect(ticketCountOf(order)).toBe(quantity);
        expect(seatsOf(order)).toHaveLength(quantity);
      }
      const taken = new Set(Object.keys(await takenOnMap(event.id)));

      // Seats only get taken during the race, so a seat free now was free when each
      // order of this wave picked: a split order is wrong if those seats and its own
      // would have seated its party side by side in a row, or in fewer rows than it took.
      for (const order of waveOrders) {
        const own = seatsOf(order);
        if (sideBySide(own)) continue;
        split++;
        const takenBefore = new Set([...taken].filter((seat) => !own.includes(seat)));
        const runs = rowLabels.map((row) => freeRuns(takenIn(takenBefore, row), SEATS_PER_ROW));
        expect(Math.max(...runs.flat()), own.join()).toBeLessThan(own.length);
        const fewestRows = rowsToSeat(
          runs.map((row) => row.reduce((sum, run) => sum + run, 0)),
          own.length,
        );
        expect(new Set(own.map((id) => id.split('-')[1])).size, own.join()).toBe(fewestRows);
      }

      // Orphans: single free seats between taken ones. Rows fill from the front seat on,
      // and a pick from a stale read overlaps the seats taken since, so its transaction
      // fails: racing leaves no orphan the picker would not leave serving the same buyers
      // one at a time.
      const orphans = rowLabels.reduce(
        (sum, row) => sum + interiorOrphans(takenIn(taken, row), SEATS_PER_ROW),
        0,
      );
      const alone = reference[start / WAVE] as { held: number; orphans: number };
      console.log(
        `best-available 1,000 after ${start + WAVE} buyers: ${taken.size} seats held, ` +
          `${orphans} orphans between taken seats; one at a time: ${alone.held} held, ` +
          `${alone.orphans} orphans`,
      );
      expect(orphans).toBeLessThanOrEqual(alone.orphans);
    }

    // Assess the whole sale
    const soldOut = codes.filter((code) => code === 'SOLD_OUT').length;
    const contended = codes.filter((code) => code === 'CONCURRENT_MODIFICATION').length;
    console.log(
      `best-available 1,000: ${won.length} held (${split} split over rows), ${soldOut} SOLD_OUT, ` +
        `${contended} CONCURRENT_MODIFICATION`,
    );
    for (const code of codes) expect(['SOLD_OUT', 'CONCURRENT_MODIFICATION']).toContain(code);
    expect(contended).toBeLessThanOrEqual(BUYERS * 0.05);
    const orders = (await readEventOrders(event.id)) as Order[];
    expect(orders.map(({ id }) => id).sort()).toEqual(won.map(({ id }) => id).sort());
    const answered = new Map(won.map((order) => [order.id, order.items]));
    for (const order of orders) expect(order.items).toEqual(answered.get(order.id));
    const sold = won.flatMap(seatsOf);
    expect(new Set(sold).size).toBe(sold.length);
    expect(await takenOnMap(event.id)).toEqual(
      Object.fromEntries(sold.map((seat) => [seat, 'HELD'])),
    );
    // No seat lost: each is held by the one order that lists it, or still for sale.
    const counters = (await readInventory(event.id)).ticketTypes[hall];
    expect(counters).toMatchObject({
      capacity: CAPACITY,
      held: sold.length,
      available: CAPACITY - sold.length,
      sold: 0,
    });
    if (counters) expectStockInvariant(counters);
  }, 180_000);
});

const ticketCountOf = (order: { items: { quantity: number }[] }) =>
  order.items.reduce((sum, item) => sum + item.quantity, 0);

const seatsOf = (order: { items: { seatIds?: string[] }[] }): string[] =>
  order.items.flatMap((item) => item.seatIds ?? []);

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

/** Whether seat `number` of a `Hall` row is among the taken seats. */
const takenIn =
  (taken: ReadonlySet<string>, row: string) =>
  (number: number): boolean =>
    taken.has(`Hall-${row}-${number}`);

/** The lengths of a row's runs of free seats. */
function freeRuns(isTaken: (number: number) => boolean, seats: number): number[] {
  const runs: number[] = [];
  let run = 0;
  for (let number = 1; number <= seats + 1; number++) {
    if (number <= seats && !isTaken(number)) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  return runs;
}

/** Single free seats with a taken seat on either side. */
function interiorOrphans(isTaken: (number: number) => boolean, seats: number): number {
  let count = 0;
  for (let number = 2; number < seats; number++) {
    if (!isTaken(number) && isTaken(number - 1) && isTaken(number + 1)) count++;
  }
  return count;
}

/** The fewest rows whose free seats, counted per row, seat a party of `quantity`. */
function rowsToSeat(freePerRow: readonly number[], quantity: number): number {
  let rows = 0;
  let seated = 0;
  for (const free of [...freePerRow].sort((a, b) => b - a)) {
    if (seated >= quantity) break;
    seated += free;
    rows++;
  }
  return rows;
}

/**
 * The race's reference: the same picker serving the same buyers one at a time, and after
 * every `wave` of them how many seats are held and how many single seats sit between
 * taken ones.
 */
function sequentialPicks(
  layout: SeatingLayout,
  ticketTypeId: string,
  quantities: readonly number[],
  wave: number,
): { held: number; orphans: number }[] {
  const taken: TakenSeat[] = [];
  const snapshots: { held: number; orphans: number }[] = [];
  for (const [buyer, quantity] of quantities.entries()) {
    const picked = pickBestSeats(layout, taken, { ticketTypeId, quantity });
    taken.push(...(picked ?? []).map((id) => ({ id, status: 'HELD' as const })));
    if ((buyer + 1) % wave !== 0) continue;
    const ids = new Set(taken.map(({ id }) => id));
    const orphans = layout.sections
      .flatMap(({ rows }) => rows)
      .reduce((sum, row) => sum + interiorOrphans(takenIn(ids, row.label), row.seats), 0);
    snapshots.push({ held: ids.size, orphans });
  }
  return snapshots;
}
