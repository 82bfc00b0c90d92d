import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { DynamoAnalyticsRepository } from '../../shared/adapters/dynamo-analytics-repository.js';
import { eventKeys } from '../../shared/db/table.js';
import { AnalyticsService } from '../../shared/domain/analytics.js';
import { analyticsDayOf } from '../../shared/domain/analytics-model.js';
import {
  EventNotOnSale,
  LimitExceeded,
  OrderNotPayable,
  PaymentDeclined,
  SoldOut,
} from '../../shared/domain/errors.js';
import { EventService } from '../../shared/domain/events.js';
import { effectiveStatus, type Order } from '../../shared/domain/order-model.js';
import type { Principal } from '../../shared/domain/principal.js';
import { createEvent, createPublishedEvent } from '../support/events-api.js';
import {
  adminContext,
  customerContext,
  organizerContext,
  principals,
  uniqueToken,
} from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import {
  documentClient,
  holdOk,
  ManualClock,
  type OrderHarness,
  orderHarness,
  readEventOrders,
  tableName,
} from '../support/orders-api.js';

/*
 * Stats and analytics are read from counters that the order transitions keep, never
 * from the orders. These tests recompute both from the orders themselves and expect
 * the same answer.
 *
 * The service-level tests run on a hand-moved clock in the 2400s, each run on days of
 * its own: analytics buckets are per day, the due index is shared by the whole test
 * run, and no other test's sweep reaches that far.
 */

const DAY_MS = 86_400_000;
/** Days each service-level world may use, so no two share an analytics bucket. */
const WORLD_DAYS = 64;
let nextWorldStart = Date.parse('2400-01-01T00:00:00.000Z');
const EVENTS_START = '2999-01-01T19:00:00.000Z';
const HOLD_SECONDS = 60;
const CUSTOMERS = 4;

const TICKET_TYPES = [
  { name: 'GA', priceCents: 3000, capacity: 8 },
  { name: 'VIP', priceCents: 10_000, capacity: 3 },
];

interface World {
  clock: ManualClock;
  harness: OrderHarness;
  events: EventService;
  analytics: AnalyticsService;
  organizer: Principal;
  admin: Principal;
  customers: Principal[];
  eventIds: string[];
  /** Ticket type ids per event, in their order. */
  ticketTypeIds: string[][];
  /** Every order placed, with the customer who placed it. */
  orders: { id: string; customer: Principal }[];
  firstDay: string;
}

async function newWorld(eventCount = 2): Promise<World> {
  // A quarter of an hour before midnight: orders often resolve on the day after their own.
  const clock = new ManualClock(new Date(nextWorldStart + DAY_MS - 15 * 60_000));
  nextWorldStart += WORLD_DAYS * DAY_MS;
  const harness = orderHarness({ clock });
  const events = new EventService(harness.events, clock, ulid);
  const analytics = new AnalyticsService({
    events: harness.events,
    analytics: new DynamoAnalyticsRepository(documentClient, tableName),
    clock,
  });
  const organizer = principals.organizer(uniqueToken('org-'));
  const eventIds: string[] = [];
  const ticketTypeIds: string[][] = [];
  for (let index = 0; index < eventCount; index++) {
    const created = await events.create(organizer, {
      name: `Model ${index}`,
      venue: { name: 'Hall', latitude: 52.5, longitude: 13.4 },
      startsAt: EVENTS_START,
      currency: index === 0 ? 'USD' : 'EUR',
      maxTicketsPerOrder: 4,
      holdSeconds: HOLD_SECONDS,
      ticketTypes: TICKET_TYPES,
    });
    await events.publish(organizer, created.id);
    eventIds.push(created.id);
    ticketTypeIds.push(created.ticketTypes.map((ticketType) => ticketType.id));
  }
  return {
    clock,
    harness,
    events,
    analytics,
    organizer,
    admin: principals.admin(uniqueToken('admin-')),
    customers: Array.from({ length: CUSTOMERS }, () => principals.customer(uniqueToken('cust-'))),
    eventIds,
    ticketTypeIds,
    orders: [],
    firstDay: analyticsDayOf(clock.now().toISOString()),
  };
}

/** Lets through the refusals a random sequence runs into; anything else fails the run. */
async function allowing(
  refusals: (new (...args: never[]) => Error)[],
  run: () => Promise<unknown>,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!refusals.some((refusal) => error instanceof refusal)) throw error;
  }
}

// ---- What the orders say ----------------------------------------------------------

const ticketsOf = (order: Order, ticketTypeId: string) =>
  order.items
    .filter((item) => item.ticketTypeId === ticketTypeId)
    .reduce((sum, item) => sum + item.quantity, 0);

const RESOLVED = ['CONFIRMED', 'CANCELLED', 'EXPIRED', 'REFUNDED'];

/** The stats of one event, recomputed from its orders as stored. */
function statsFromOrders(world: World, eventIndex: number, orders: Order[]) {
  const now = world.clock.now();
  const ticketTypes = TICKET_TYPES.map(({ name, capacity }, index) => {
    const id = world.ticketTypeIds[eventIndex]?.[index] ?? '';
    const tickets = (statuses: string[]) =>
      orders
        .filter((order) => statuses.includes(order.status))
        .reduce((sum, order) => sum + ticketsOf(order, id), 0);
    const sold = tickets(['CONFIRMED']);
    // Tickets stay held until the expiry job releases them, overdue or not.
    const held = tickets(['HELD', 'PAYING']);
    const revenueCents = orders
      .filter((order) => order.status === 'CONFIRMED')
      .flatMap((order) => order.items.filter((item) => item.ticketTypeId === id))
      .reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    return { id, name, capacity, sold, held, available: capacity - sold - held, revenueCents };
  });
  const total = (counter: 'capacity' | 'sold' | 'held' | 'available' | 'revenueCents') =>
    ticketTypes.reduce((sum, ticketType) => sum + ticketType[counter], 0);
  // Orders as every read shows them: an overdue hold is EXPIRED.
  const count = (status: string) =>
    orders.filter((order) => effectiveStatus(order, now) === status).length;
  return {
    currency: eventIndex === 0 ? 'USD' : 'EUR',
    capacity: total('capacity'),
    sold: total('sold'),
    held: total('held'),
    available: total('available'),
    revenueCents: total('revenueCents'),
    orders: {
      held: count('HELD'),
      confirmed: count('CONFIRMED'),
      cancelled: count('CANCELLED'),
      expired: count('EXPIRED'),
      refunded: count('REFUNDED'),
    },
    ticketTypes,
  };
}

const fraction = (part: number, whole: number) =>
  whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;

/** The analytics of the orders created on `days`, recomputed from the orders as stored. */
function analyticsFromOrders(world: World, ordersByEvent: Order[][], days: string[]) {
  const perEvent = world.eventIds.map((eventId, index) => {
    const orders = (ordersByEvent[index] ?? []).filter(
      (order) => RESOLVED.includes(order.status) && days.includes(analyticsDayOf(order.createdAt)),
    );
    const confirmed = orders.filter((order) => order.status === 'CONFIRMED');
    const capacity = TICKET_TYPES.reduce((sum, ticketType) => sum + ticketType.capacity, 0);
    const ticketsSold = confirmed.reduce(
      (sum, order) => sum + order.items.reduce((n, item) => n + item.quantity, 0),
      0,
    );
    return {
      eventId,
      name: `Model ${index}`,
      currency: index === 0 ? 'USD' : 'EUR',
      resolved: orders.length,
      cancelled: orders.filter((order) => ['CANCELLED', 'REFUNDED'].includes(order.status)).length,
      confirmed: confirmed.length,
      ticketsSold,
      revenueCents: confirmed.reduce((sum, order) => sum + order.amountCents, 0),
      utilization: fraction(ticketsSold, capacity),
    };
  });
  const sum = (field: 'resolved' | 'cancelled' | 'confirmed' | 'ticketsSold' | 'revenueCents') =>
    perEvent.reduce((total, event) => total + event[field], 0);
  const revenueByCurrency: Record<string, number> = {};
  for (const event of perEvent.filter((event) => event.resolved > 0)) {
    revenueByCurrency[event.currency] =
      (revenueByCurrency[event.currency] ?? 0) + event.revenueCents;
  }
  return {
    from: days[0],
    to: days.at(-1),
    events: perEvent.filter((event) => event.resolved > 0).length,
    ordersConfirmed: sum('confirmed'),
    ticketsSold: sum('ticketsSold'),
    revenueCents: sum('revenueCents'),
    revenueByCurrency,
    cancellationRate: fraction(sum('cancelled'), sum('resolved')),
    topEvents: perEvent
      .filter((event) => event.ticketsSold > 0)
      .sort(
        (a, b) =>
          b.ticketsSold - a.ticketsSold ||
          b.revenueCents - a.revenueCents ||
          a.eventId.localeCompare(b.eventId),
      )
      .map(({ eventId, name, currency, ticketsSold, revenueCents, utilization }) => ({
        eventId,
        name,
        currency,
        ticketsSold,
        revenueCents,
        utilization,
      })),
  };
}

function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(first); at <= Date.parse(last); at += DAY_MS) {
    days.push(analyticsDayOf(new Date(at).toISOString()));
  }
  return days;
}

/** Stats of every event, and analytics of the whole world and of each of its days, agree with the orders. */
async function expectAgreement(world: World): Promise<void> {
  const ordersByEvent = await Promise.all(world.eventIds.map((id) => readEventOrders(id)));
  for (const [index, eventId] of world.eventIds.entries()) {
    const stats = await world.analytics.eventStats(world.organizer, eventId);
    expect(stats, `stats of event ${index}`).toEqual(
      statsFromOrders(world, index, ordersByEvent[index] ?? []),
    );
  }
  const days = daysFrom(world.firstDay, analyticsDayOf(world.clock.now().toISOString()));
  const windows = [days, ...(days.length > 1 ? days.map((day) => [day]) : [])];
  for (const window of windows) {
    const analytics = await world.analytics.analytics(world.admin, {
      from: window[0],
      to: window.at(-1),
    });
    expect(analytics, `analytics of ${window[0]}…${window.at(-1)}`).toEqual(
      analyticsFromOrders(world, ordersByEvent, window),
    );
  }
}

// ---- The model-based test ---------------------------------------------------------

interface Model {
  orders: number;
}

type Command = fc.AsyncCommand<Model, World>;

const pick = <T>(items: readonly T[], index: number): T => items[index % items.length] as T;

class Hold implements Command {
  constructor(
    readonly customer: number,
    readonly event: number,
    readonly items: { ticketType: number; quantity: number }[],
  ) {}
  check = () => true;
  async run(model: Model, world: World) {
    const customer = pick(world.customers, this.customer);
    const eventIndex = this.event % world.eventIds.length;
    const items = this.items.map(({ ticketType, quantity }) => ({
      ticketTypeId: pick(world.ticketTypeIds[eventIndex] ?? [], ticketType),
      quantity,
    }));
    await allowing([SoldOut, LimitExceeded, EventNotOnSale], async () => {
      const order = await world.harness.service.hold(customer, world.eventIds[eventIndex] ?? '', {
        items,
      });
      world.orders.push({ id: order.id, customer });
      model.orders++;
    });
  }
  toString = () => `hold(c${this.customer}, e${this.event}, ${JSON.stringify(this.items)})`;
}

class Pay implements Command {
  constructor(
    readonly order: number,
    readonly token: 'tok_visa' | 'tok_declined',
  ) {}
  check = (model: Readonly<Model>) => model.orders > 0;
  async run(_model: Model, world: World) {
    const { id, customer } = pick(world.orders, this.order);
    await allowing([OrderNotPayable, PaymentDeclined], () =>
      world.harness.service.pay(customer, id, this.token),
    );
  }
  toString = () => `pay(o${this.order}, ${this.token})`;
}

class Cancel implements Command {
  constructor(
    readonly order: number,
    readonly byAdmin: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.orders > 0;
  async run(_model: Model, world: World) {
    const { id, customer } = pick(world.orders, this.order);
    await world.harness.service.cancel(this.byAdmin ? world.admin : customer, id);
  }
  toString = () => `cancel(o${this.order}${this.byAdmin ? ', by admin' : ''})`;
}

/** The expiry job's trigger for one order: on time, late or early. */
class Expire implements Command {
  constructor(readonly order: number) {}
  check = (model: Readonly<Model>) => model.orders > 0;
  async run(_model: Model, world: World) {
    await world.harness.service.expire(pick(world.orders, this.order).id);
  }
  toString = () => `expire(o${this.order})`;
}

class CancelEvent implements Command {
  constructor(readonly event: number) {}
  // Ends the event's sales: only once it has some, or most sequences would sell nothing.
  check = (model: Readonly<Model>) => model.orders >= 4;
  async run(_model: Model, world: World) {
    const eventId = pick(world.eventIds, this.event);
    await world.harness.service.cancelEvent(world.organizer, eventId, world.events);
  }
  toString = () => `cancelEvent(e${this.event})`;
}

/** Time passes; holds run out, and no expiry job runs unless a command says so. */
class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_model: Model, world: World) {
    world.clock.advance(this.ms);
  }
  toString = () => `advance(${this.ms / 1000}s)`;
}

class Check implements Command {
  check = () => true;
  run = (_model: Model, world: World) => expectAgreement(world);
  toString = () => 'check()';
}

/**
 * One command at a time, weighted so that sequences build up orders in every state:
 * mostly holds and payments, and rarely the end of an event (which ends its sales).
 */
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(
        fc.nat(CUSTOMERS - 1),
        fc.nat(1),
        fc.uniqueArray(
          fc.record({ ticketType: fc.nat(1), quantity: fc.integer({ min: 1, max: 2 }) }),
          { minLength: 1, maxLength: 2, selector: (item) => item.ticketType },
        ),
      )
      .map(([customer, event, items]) => new Hold(customer, event, items)),
  },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.nat(), fc.constantFrom('tok_visa' as const, 'tok_declined' as const))
      .map(([order, token]) => new Pay(order, token)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(), fc.boolean())
      .map(([order, byAdmin]) => new Cancel(order, byAdmin)),
  },
  { weight: 2, arbitrary: fc.nat().map((order) => new Expire(order)) },
  {
    weight: 3,
    // Short of a hold, past it, and now and then past midnight into another day's bucket.
    arbitrary: fc
      .constantFrom(5_000, 30_000, 61_000, 600_000, 20 * 3_600_000)
      .map((ms) => new Advance(ms)),
  },
  { weight: 1, arbitrary: fc.nat(1).map((event) => new CancelEvent(event)) },
  { weight: 1, arbitrary: fc.constant(new Check()) },
);

describe('stats and analytics agree with the orders', () => {
  it('after any sequence of holds, payments, cancellations, event cancellations, expiries and time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands([command], { maxCommands: 40, size: 'max' }),
        async (sequence) => {
          const world = await newWorld();
          await fc.asyncModelRun(() => ({ model: { orders: 0 }, real: world }), sequence);
          await expectAgreement(world);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('counts an overdue hold as expired at once, and its tickets as held until the job releases them', async () => {
    const world = await newWorld(1);
    const [customer] = world.customers as [Principal];
    const eventId = world.eventIds[0] ?? '';
    const [ga] = world.ticketTypeIds[0] ?? [];
    const order = await world.harness.service.hold(customer, eventId, {
      items: [{ ticketTypeId: ga ?? '', quantity: 2 }],
    });

    world.clock.advance(HOLD_SECONDS * 1000);
    const overdue = await world.analytics.eventStats(world.organizer, eventId);

    expect(overdue.orders).toEqual({
      held: 0,
      confirmed: 0,
      cancelled: 0,
      expired: 1,
      refunded: 0,
    });
    expect(overdue).toMatchObject({ held: 2, available: 9 });
    await expectAgreement(world);

    expect(await world.harness.service.expire(order.id)).toBe(true);
    const released = await world.analytics.eventStats(world.organizer, eventId);

    expect(released.orders).toEqual(overdue.orders);
    expect(released).toMatchObject({ held: 0, available: 11 });
    await expectAgreement(world);
  });
});

// ---- Through the handlers ---------------------------------------------------------

const stats = (as: ReturnType<typeof organizerContext>, eventId: string, query = '') =>
  invoke('GET', `/v1/events/${eventId}/stats${query}`, { as });

describe('GET /v1/events/{eventId}/stats', () => {
  it('counts holds, payments and cancellations, and the refunds and releases of an event cancellation', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [
        { name: 'GA', priceCents: 2500, capacity: 10 },
        { name: 'VIP', priceCents: 9000, capacity: 2 },
      ],
    });
    const [ga, vip] = event.ticketTypes.map((ticketType: { id: string }) => ticketType.id);
    const paid = customerContext();
    const paidOrder = await holdOk(paid, event.id, [
      { ticketTypeId: ga, quantity: 2 },
      { ticketTypeId: vip, quantity: 1 },
    ]);
    expect(
      (
        await invoke('POST', `/v1/orders/${paidOrder.id}/pay`, {
          as: paid,
          body: { paymentToken: 'tok_visa' },
        })
      ).status,
    ).toBe(200);
    const changedMind = customerContext();
    const cancelled = await holdOk(changedMind, event.id, [{ ticketTypeId: ga, quantity: 1 }]);
    expect(
      (await invoke('POST', `/v1/orders/${cancelled.id}/cancel`, { as: changedMind })).status,
    ).toBe(200);
    await holdOk(customerContext(), event.id, [{ ticketTypeId: ga, quantity: 3 }]);

    const before = await stats(organizer, event.id);

    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body).toEqual({
      currency: 'USD',
      capacity: 12,
      sold: 3,
      held: 3,
      available: 6,
      revenueCents: 14_000,
      orders: { held: 1, confirmed: 1, cancelled: 1, expired: 0, refunded: 0 },
      ticketTypes: [
        { id: ga, name: 'GA', capacity: 10, sold: 2, held: 3, available: 5, revenueCents: 5000 },
        { id: vip, name: 'VIP', capacity: 2, sold: 1, held: 0, available: 1, revenueCents: 9000 },
      ],
    });

    expect((await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer })).status).toBe(
      200,
    );
    const after = await stats(organizer, event.id);

    expect(after.body).toMatchObject({
      sold: 0,
      held: 0,
      available: 12,
      revenueCents: 0,
      orders: { held: 0, confirmed: 0, cancelled: 2, expired: 0, refunded: 1 },
    });
    // Admins read it too, the same.
    expect((await stats(adminContext(), event.id)).body).toEqual(after.body);
  });

  it('starts counting on an INVENTORY item written before the counters existed', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 5 }],
    });
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: eventKeys.inventory(event.id),
        UpdateExpression: 'REMOVE confirmedOrders, cancelledOrders, expiredOrders, refundedOrders',
      }),
    );
    expect((await stats(organizer, event.id)).body.orders).toEqual({
      held: 0,
      confirmed: 0,
      cancelled: 0,
      expired: 0,
      refunded: 0,
    });
    const customer = customerContext();
    const ticketTypeId = event.ticketTypes[0].id;
    const first = await holdOk(customer, event.id, [{ ticketTypeId, quantity: 1 }]);
    const second = await holdOk(customer, event.id, [{ ticketTypeId, quantity: 1 }]);

    const paid = await invoke('POST', `/v1/orders/${first.id}/pay`, {
      as: customer,
      body: { paymentToken: 'tok_visa' },
    });
    const refunded = await invoke('POST', `/v1/orders/${first.id}/cancel`, { as: customer });
    const cancelled = await invoke('POST', `/v1/orders/${second.id}/cancel`, { as: customer });

    expect([paid, refunded, cancelled].map((response) => response.body.status)).toEqual([
      'CONFIRMED',
      'REFUNDED',
      'CANCELLED',
    ]);
    expect((await stats(organizer, event.id)).body).toMatchObject({
      available: 5,
      orders: { held: 0, confirmed: 0, cancelled: 1, expired: 0, refunded: 1 },
    });
  });

  it('404 for a missing event, and for a draft to another organizer; 403 for their published event', async () => {
    const owner = organizerContext();
    const draft = await createEvent(owner);
    const published = await createPublishedEvent(owner);
    const other = organizerContext();

    expectProblem(await stats(owner, 'no-such-event'), 404, 'NOT_FOUND');
    expectProblem(await stats(other, draft.id), 404, 'NOT_FOUND');
    expectProblem(await stats(other, published.id), 403, 'FORBIDDEN');
    expect((await stats(owner, draft.id)).status).toBe(200);
  });

  it('400 for a query parameter', async () => {
    const owner = organizerContext();
    const event = await createEvent(owner);

    const response = await stats(owner, event.id, '?verbose=true');

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      { path: 'query.verbose', message: 'unknown field "verbose"' },
    ]);
  });
});

describe('GET /v1/admin/analytics', () => {
  const analytics = (query: string) =>
    invoke('GET', `/v1/admin/analytics${query}`, { as: adminContext() });

  it('answers for the last 30 days by default', async () => {
    const before = analyticsDayOf(new Date().toISOString());
    const response = await analytics('');
    const after = analyticsDayOf(new Date().toISOString());

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const { to } = response.body;
    expect([before, after]).toContain(to);
    expect(response.body).toMatchObject({
      from: analyticsDayOf(new Date(Date.parse(to) - 29 * DAY_MS).toISOString()),
      events: expect.any(Number),
      ordersConfirmed: expect.any(Number),
      ticketsSold: expect.any(Number),
      revenueCents: expect.any(Number),
      revenueByCurrency: expect.any(Object),
      cancellationRate: expect.any(Number),
      topEvents: expect.any(Array),
    });
  });

  it('is all zeros for days without orders', async () => {
    const response = await analytics('?from=1999-01-01&to=1999-12-31T23:00:00Z');

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({
      from: '1999-01-01',
      to: '1999-12-31',
      events: 0,
      ordersConfirmed: 0,
      ticketsSold: 0,
      revenueCents: 0,
      revenueByCurrency: {},
      cancellationRate: 0,
      topEvents: [],
    });
  });

  it('400 VALIDATION_FAILED for a window over 366 days, reversed, malformed, or with an unknown parameter', async () => {
    for (const query of [
      '?from=2020-01-01&to=2021-01-01',
      '?from=2021-02-01&to=2021-01-31',
      '?from=last-week',
      '?from=2021-01-01&to=2021-01-02&eventId=x',
    ]) {
      expectProblem(await analytics(query), 400, 'VALIDATION_FAILED');
    }
  });
});
