import { describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../shared/domain/analytics.js';
import { analyticsQuerySchema } from '../../shared/domain/analytics-model.js';
import type { AnalyticsRepository } from '../../shared/domain/analytics-ports.js';
import { DomainError } from '../../shared/domain/errors.js';
import { createEventSchema, updateEventSchema } from '../../shared/domain/event-model.js';
import type { EventRepository } from '../../shared/domain/event-ports.js';
import { EventService } from '../../shared/domain/events.js';
import { OrderLifecycle } from '../../shared/domain/order-lifecycle.js';
import { holdSchema, listOrdersQuerySchema } from '../../shared/domain/order-model.js';
import type {
  OrderListQuery,
  OrderRepository,
  OutboxRelay,
  PaymentGateway,
} from '../../shared/domain/order-ports.js';
import { OrderQueries } from '../../shared/domain/order-queries.js';
import type { Principal } from '../../shared/domain/principal.js';
import { RelevantEvents, relevantEventsQuerySchema } from '../../shared/domain/relevant-events.js';
import { Accounts, Users } from '../../shared/domain/users.js';
import type { WaitlistRepository } from '../../shared/domain/waitlist-ports.js';
import { eventBody, eventState, principals } from '../support/events-fixtures.js';
import {
  FakeIdentityProvider,
  FakeVerification,
  FIXED_NOW,
  fixedClock,
  InMemoryUserRepository,
  type Journal,
  storedUser,
} from '../support/identity-fakes.js';
import { noMetrics } from '../support/metrics.js';
import { domainOrder } from '../support/orders-fixtures.js';

/*
 * The domain's own role and ownership checks, with no route table in front of them: each
 * service is called directly with every kind of caller. The route table's roles are
 * pinned on their own (route-access.test.ts), so removing a check on either side fails
 * a test, where the authorization matrix, which sees only the status the first check
 * gives, would not notice.
 */

const CALLERS = {
  anonymous: principals.anonymous(),
  /** Holds the order `ord-1`; has a location. */
  customer: principals.customer('cust-1'),
  otherCustomer: principals.customer('cust-2'),
  /** Organizes both events. */
  organizer: principals.organizer('org-1'),
  otherOrganizer: principals.organizer('org-2'),
  admin: principals.admin('admin-1'),
} as const satisfies Record<string, Principal>;
type Caller = keyof typeof CALLERS;

/** What a call answered: `ok`, or the name of the domain error it threw. */
type Outcome = 'ok' | 'Unauthenticated' | 'Forbidden' | 'NotFound' | 'EventNotOnSale';
type Row = Record<Caller, Outcome>;

/** Reads leave no trace in the journal; every other repository or gateway call does. */
const READS = new Set([
  'get',
  'list',
  'listNear',
  'listByEvent',
  'listByCustomer',
  'getByEmail',
  'totalsByEvent',
  'summaries',
  'overdueHolds',
]);

/**
 * A port whose listed methods answer as given; every call that is not a read is written
 * to the journal, and a method not listed throws, so nothing passes by accident.
 */
function fake<T extends object>(name: string, journal: Journal, methods: Partial<T>): T {
  return new Proxy(methods as T, {
    get(target, method) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return async (...args: unknown[]) => {
        if (!READS.has(method)) journal.push(`${name}.${method}`);
        const answer = (target as Record<string, unknown>)[method];
        if (typeof answer !== 'function') throw new Error(`unexpected ${name}.${method}`);
        return answer(...args);
      };
    },
  });
}

const EMPTY_PAGE = { items: [], nextCursor: null };

/**
 * Every service over fresh in-memory fakes: a draft `ev-draft` and a published `ev-pub`
 * of `org-1`, and a live hold `ord-1` of `cust-1` on `ev-pub`. Fakes answer any write
 * with success, so a call a check does not stop goes through.
 */
function world() {
  const journal: Journal = [];
  const clock = fixedClock();
  const stored = {
    'ev-draft': eventState({ id: 'ev-draft', organizerId: 'org-1', status: 'DRAFT' }),
    'ev-pub': eventState({ id: 'ev-pub', organizerId: 'org-1', status: 'PUBLISHED' }),
  };
  const order = domainOrder({
    id: 'ord-1',
    eventId: 'ev-pub',
    organizerId: 'org-1',
    customer: { userId: 'cust-1', email: 'cust-1@example.com', name: 'C' },
    items: [{ ticketTypeId: 'tt-ga', quantity: 1, unitPriceCents: 5000 }],
    amountCents: 5000,
    createdAt: FIXED_NOW.toISOString(),
    expiresAt: new Date(FIXED_NOW.getTime() + 600_000).toISOString(),
  });
  const listedBy: OrderListQuery[] = [];
  const events = fake<EventRepository>('events', journal, {
    get: async (id) => structuredClone(stored[id as keyof typeof stored] ?? null),
    insert: async () => undefined,
    update: async () => 'applied',
    delete: async () => 'deleted',
    listNear: async () => EMPTY_PAGE,
  });
  const orders = fake<OrderRepository>('orders', journal, {
    get: async (id) => (id === order.id ? structuredClone(order) : null),
    hold: async () => 'held',
    startPayment: async () => true,
    confirm: async () => true,
    cancelHeld: async () => ({ pooled: [] }),
    listByEvent: async (_, query) => {
      listedBy.push(query);
      return EMPTY_PAGE;
    },
    listByCustomer: async (_, query) => {
      listedBy.push(query);
      return EMPTY_PAGE;
    },
  });
  const analytics = fake<AnalyticsRepository>('analytics', journal, {
    totalsByEvent: async () => new Map(),
    summaries: async () => new Map(),
    overdueHolds: async () => 0,
  });
  const payments = fake<PaymentGateway>('payments', journal, {
    capture: async () => ({ paymentId: 'pay-1' }),
  });
  const outbox = fake<OutboxRelay>('outbox', journal, { relay: async () => undefined });
  const scheduler = fake('scheduler', journal, { scheduleExpiry: async () => undefined });
  const userRepository = new InMemoryUserRepository(journal).seed(
    storedUser({ id: 'cust-1', location: { latitude: 52.5, longitude: 13.4 } }),
    storedUser({ id: 'cust-2' }),
    storedUser({ id: 'org-1', roles: ['customer', 'organizer'] }),
    storedUser({ id: 'admin-1', roles: ['customer', 'admin'] }),
  );
  const users = new Users(userRepository, clock);
  const orderDeps = {
    orders,
    events,
    waitlist: fake<WaitlistRepository>('waitlist', journal, {}),
    customers: userRepository,
    scheduler,
    payments,
    outbox,
    clock,
    newId: () => 'new-id',
    onRecoverableError: () => undefined,
    metrics: noMetrics,
  };
  return {
    journal,
    listedBy,
    eventService: new EventService(events, clock, () => 'new-id'),
    analytics: new AnalyticsService({ events, analytics, clock }),
    queries: new OrderQueries(orderDeps),
    lifecycle: new OrderLifecycle(orderDeps),
    users,
    accounts: new Accounts(
      new FakeIdentityProvider(journal),
      userRepository,
      clock,
      new FakeVerification(),
      () => {},
    ),
    relevant: new RelevantEvents(users, events, clock),
  };
}
type World = ReturnType<typeof world>;

/** Calls `act` once per caller, each on a fresh world; what each got, and what refused calls wrote. */
async function rowOf(act: (world: World, caller: Principal) => Promise<unknown>) {
  const row: Partial<Record<Caller, string>> = {};
  const writtenWhenRefused: string[] = [];
  for (const [name, caller] of Object.entries(CALLERS) as [Caller, Principal][]) {
    const current = world();
    try {
      await act(current, caller);
      row[name] = 'ok';
    } catch (error) {
      row[name] = error instanceof DomainError ? error.constructor.name : String(error);
      writtenWhenRefused.push(...current.journal.map((call) => `${name}: ${call}`));
    }
  }
  return { row, writtenWhenRefused };
}

/** In the order of CALLERS: anonymous, customer, otherCustomer, organizer, otherOrganizer, admin. */
function row(...outcomes: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]): Row {
  const names = Object.keys(CALLERS) as Caller[];
  return Object.fromEntries(names.map((name, index) => [name, outcomes[index]])) as Row;
}

const U = 'Unauthenticated';
const F = 'Forbidden';
const N = 'NotFound';

const ORGANIZER_AND_ADMIN_OF_PUBLISHED = row(U, F, F, 'ok', F, 'ok');
const ORGANIZER_AND_ADMIN_OF_DRAFT = row(U, N, N, 'ok', N, 'ok');
const ADMIN_ONLY = row(U, F, F, F, F, 'ok');

const cases: [string, (world: World, caller: Principal) => Promise<unknown>, Row][] = [
  [
    'EventService.create: organizers and admins only',
    ({ eventService }, caller) => eventService.create(caller, createEventSchema.parse(eventBody())),
    row(U, F, F, 'ok', 'ok', 'ok'),
  ],
  [
    'EventService.get of a draft: its organizer and admins; 404 to everyone else',
    ({ eventService }, caller) => eventService.get(caller, 'ev-draft'),
    row(N, N, N, 'ok', N, 'ok'),
  ],
  [
    'EventService.update of a published event',
    ({ eventService }, caller) =>
      eventService.update(caller, 'ev-pub', updateEventSchema.parse({ name: 'Renamed' })),
    ORGANIZER_AND_ADMIN_OF_PUBLISHED,
  ],
  [
    'EventService.update of a draft',
    ({ eventService }, caller) =>
      eventService.update(caller, 'ev-draft', updateEventSchema.parse({ name: 'Renamed' })),
    ORGANIZER_AND_ADMIN_OF_DRAFT,
  ],
  [
    'EventService.publish of a draft',
    ({ eventService }, caller) => eventService.publish(caller, 'ev-draft'),
    ORGANIZER_AND_ADMIN_OF_DRAFT,
  ],
  [
    'EventService.cancel of a published event',
    ({ eventService }, caller) => eventService.cancel(caller, 'ev-pub'),
    ORGANIZER_AND_ADMIN_OF_PUBLISHED,
  ],
  [
    'EventService.delete of a published event',
    ({ eventService }, caller) => eventService.delete(caller, 'ev-pub'),
    ORGANIZER_AND_ADMIN_OF_PUBLISHED,
  ],
  [
    'AnalyticsService.analytics: admins only',
    ({ analytics }, caller) => analytics.analytics(caller, analyticsQuerySchema.parse({})),
    ADMIN_ONLY,
  ],
  [
    'AnalyticsService.eventStats of a published event',
    ({ analytics }, caller) => analytics.eventStats(caller, 'ev-pub'),
    ORGANIZER_AND_ADMIN_OF_PUBLISHED,
  ],
  [
    'AnalyticsService.eventStats of a draft',
    ({ analytics }, caller) => analytics.eventStats(caller, 'ev-draft'),
    ORGANIZER_AND_ADMIN_OF_DRAFT,
  ],
  [
    "OrderQueries.get: the order's customer, the event's organizer and admins",
    ({ queries }, caller) => queries.get(caller, 'ord-1'),
    row(U, 'ok', N, 'ok', N, 'ok'),
  ],
  [
    "OrderQueries.listOrders of a published event's orders",
    ({ queries }, caller) =>
      queries.listOrders(caller, listOrdersQuerySchema.parse({ eventId: 'ev-pub' })),
    ORGANIZER_AND_ADMIN_OF_PUBLISHED,
  ],
  [
    "OrderQueries.listOrders of a draft's orders",
    ({ queries }, caller) =>
      queries.listOrders(caller, listOrdersQuerySchema.parse({ eventId: 'ev-draft' })),
    ORGANIZER_AND_ADMIN_OF_DRAFT,
  ],
  [
    "OrderLifecycle.pay: the order's customer only, not its organizer nor an admin",
    ({ lifecycle }, caller) => lifecycle.pay(caller, 'ord-1', 'tok_visa'),
    row(U, 'ok', N, F, N, F),
  ],
  [
    "OrderLifecycle.cancel: the order's customer and admins, not its organizer",
    ({ lifecycle }, caller) => lifecycle.cancel(caller, 'ord-1'),
    row(U, 'ok', N, F, N, 'ok'),
  ],
  [
    'OrderLifecycle.hold on a draft: 404 to all but its organizer and admins',
    ({ lifecycle }, caller) =>
      lifecycle.hold(
        caller,
        'ev-draft',
        holdSchema.parse({ items: [{ ticketTypeId: 'tt-ga', quantity: 1 }] }),
      ),
    row(U, N, N, 'EventNotOnSale', N, 'EventNotOnSale'),
  ],
  ['Users.list: admins only', ({ users }, caller) => users.list(caller, { limit: 10 }), ADMIN_ONLY],
  [
    'Users.get: the user themself and admins; 404 to everyone else',
    ({ users }, caller) => users.get(caller, 'cust-1'),
    row(U, 'ok', N, N, N, 'ok'),
  ],
  [
    'Accounts.setRoles: admins only',
    ({ accounts }, caller) => accounts.setRoles(caller, 'cust-1', ['organizer']),
    ADMIN_ONLY,
  ],
  [
    'Accounts.delete: admins only',
    ({ accounts }, caller) => accounts.delete(caller, 'cust-1'),
    ADMIN_ONLY,
  ],
  [
    "RelevantEvents.list of a user's events: the user themself and admins",
    ({ relevant }, caller) => relevant.list(caller, 'cust-1', relevantEventsQuerySchema.parse({})),
    row(U, 'ok', N, N, N, 'ok'),
  ],
];

describe('domain role and ownership checks, without the route table', () => {
  it.each(cases)('%s', async (_, act, expected) => {
    // Act
    const { row: outcomes, writtenWhenRefused } = await rowOf(act);

    // Assess: each caller gets exactly its answer, and a refused call wrote nothing
    expect(outcomes).toEqual(expected);
    expect(writtenWhenRefused).toEqual([]);
  });

  it("OrderQueries.listOrders by customerEmail shows an organizer only their own events' orders", async () => {
    // Prepare
    const organizer = world();
    const admin = world();
    const query = listOrdersQuerySchema.parse({ customerEmail: 'cust-1@example.com' });

    // Act
    await organizer.queries.listOrders(CALLERS.organizer, query);
    await admin.queries.listOrders(CALLERS.admin, query);

    // Assess: the organizer's read is filtered to their events, the admin's is not
    expect(organizer.listedBy).toEqual([expect.objectContaining({ organizerId: 'org-1' })]);
    expect(admin.listedBy).toEqual([expect.objectContaining({ organizerId: undefined })]);
  });
});
