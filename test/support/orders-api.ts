/**
 * Integration helpers for the orders tests: holds through the real handler, strongly
 * consistent reads of order items, controlled rewrites of an order's expiry, bounded
 * concurrency, and the order units wired to the real DynamoDB adapters with a clock,
 * payment gateway, scheduler and email queue the test controls and observes. Only for
 * the integration project (needs DynamoDB Local and its env).
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterEach, beforeEach, expect } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import { DynamoOutboxRelay } from '../../shared/adapters/dynamo-outbox-relay.js';
import { DynamoUserRepository } from '../../shared/adapters/dynamo-user-repository.js';
import { DynamoWaitlistRepository } from '../../shared/adapters/dynamo-waitlist-repository.js';
import { localBus } from '../../shared/adapters/local-bus.js';
import { TestPaymentGateway } from '../../shared/adapters/test-payment-gateway.js';
import { documentClient, tableName } from '../../shared/composition/dynamodb.js';
import { emailKeys, eventKeys, orderKeys, table } from '../../shared/db/table.js';
import type { Clock } from '../../shared/domain/clock.js';
import type { EmailMessage, OrderEmailMessage } from '../../shared/domain/email-model.js';
import type { EmailQueue } from '../../shared/domain/email-ports.js';
import type { Order } from '../../shared/domain/order-model.js';
import type {
  ExpiryScheduler,
  OrderRepository,
  PaymentGateway,
} from '../../shared/domain/order-ports.js';
import type { Principal, Role } from '../../shared/domain/principal.js';
import type { WaitlistRepository } from '../../shared/domain/waitlist-ports.js';
import { readInventory, type StoredTicketType } from './events-api.js';
import { type AuthenticatedContext, customerContext } from './events-fixtures.js';
import { invoke, type TestResponse } from './invoke.js';
import { noMetrics } from './metrics.js';
import { type OrderUnits, orderUnits } from './order-units.js';

export { documentClient, tableName };

/** Runs `run` over `items` with at most `limit` calls in flight; results in item order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The domain principal the authorizer context stands for. */
export function principalOf(context: AuthenticatedContext): Principal {
  return {
    userId: context.userId,
    email: context.email,
    name: context.name,
    roles: context.roles.split(',') as Role[],
  };
}

/** POST /v1/events/{id}/orders through the real handler. */
export function hold(
  as: AuthenticatedContext,
  eventId: string,
  items: { ticketTypeId: string; quantity: number }[],
  headers?: Record<string, string>,
): Promise<TestResponse> {
  return invoke('POST', `/v1/events/${eventId}/orders`, {
    as,
    body: { items },
    ...(headers && { headers }),
  });
}

/** A hold that must succeed; returns the order view. */
export async function holdOk(
  as: AuthenticatedContext,
  eventId: string,
  items: { ticketTypeId: string; quantity: number }[],
): Promise<any> {
  const response = await hold(as, eventId, items);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** The stored order item (internal fields included), read strongly consistently. */
export async function readOrderItem(orderId: string): Promise<Record<string, any> | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: orderKeys.order(orderId), ConsistentRead: true }),
  );
  return result.Item;
}

export async function readOrderStatus(orderId: string): Promise<string | undefined> {
  return (await readOrderItem(orderId))?.status;
}

/** The per-customer live-ticket counter of one event, read strongly consistently. */
export async function readLiveTickets(eventId: string, userId: string): Promise<number> {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: orderKeys.customerTickets(eventId, userId),
      ConsistentRead: true,
    }),
  );
  return (result.Item?.live as number | undefined) ?? 0;
}

/** The outbox message committed for (order, kind), if it is still waiting. */
export async function readOutbox(orderId: string, kind: Parameters<typeof emailKeys.outbox>[1]) {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: emailKeys.outbox(orderId, kind),
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

/**
 * Moves a HELD order's expiry, as if the hold had been taken longer ago: `expiresAt`
 * and its place in the due index move together, exactly as the hold wrote them.
 */
export async function setExpiresAt(orderId: string, expiresAt: string): Promise<void> {
  const { dueSharded: due } = table.globalSecondaryIndexes;
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: orderKeys.order(orderId),
      UpdateExpression: 'SET #expiresAt = :expiresAt, #dueSort = :dueSort',
      ConditionExpression: 'attribute_exists(#duePartition)',
      ExpressionAttributeNames: {
        '#expiresAt': 'expiresAt',
        '#dueSort': due.sortKey,
        '#duePartition': due.partitionKey,
      },
      ExpressionAttributeValues: {
        ':expiresAt': expiresAt,
        ':dueSort': orderKeys.expiresAtSort(expiresAt, orderId),
      },
    }),
  );
}

/** Every order of an event through GET /v1/orders?eventId=…, page by page. */
export function listAllOrders(
  as: AuthenticatedContext,
  eventId: string,
  filters: Record<string, string> = {},
): Promise<any[]> {
  return listAllOrdersWhere(as, { eventId, ...filters });
}

/** Every order GET /v1/orders answers with for `query`, page by page. */
export async function listAllOrdersWhere(
  as: AuthenticatedContext,
  query: Record<string, string>,
): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const search = new URLSearchParams({ limit: '100', ...query });
    if (cursor !== null) search.set('cursor', cursor);
    const response = await invoke('GET', `/v1/orders?${search}`, { as });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor !== null);
  return items;
}

/**
 * A customer whose profile is stored, as registration leaves it, so that looking up
 * their email finds them; the contexts alone exist only in the authorizer's answer.
 */
export async function registeredCustomer(): Promise<AuthenticatedContext> {
  const context = customerContext();
  const now = new Date().toISOString();
  await new DynamoUserRepository(documentClient, tableName).insert({
    id: context.userId,
    email: context.email,
    name: context.name,
    roles: ['customer'],
    emailVerified: false,
    createdAt: now,
    updatedAt: now,
  });
  return context;
}

/** Σ over a ticket type: capacity − available = held + sold, available ≥ 0, held/sold ≥ 0. */
export function expectStockInvariant(ticketType: StoredTicketType): void {
  expect(ticketType.available).toBeGreaterThanOrEqual(0);
  expect(ticketType.held).toBeGreaterThanOrEqual(0);
  expect(ticketType.sold).toBeGreaterThanOrEqual(0);
  expect(ticketType.capacity - ticketType.available).toBe(ticketType.held + ticketType.sold);
}

/** The whole INVENTORY item, for before/after comparisons of requests that must change nothing. */
export const snapshotInventory = (eventId: string) => readInventory(eventId);

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = new Date()) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export interface CaptureCall {
  orderId: string;
  paymentToken: string;
  amountCents: number;
  currency: string;
}

/**
 * The built-in test gateway, recording every capture and refund. `gate`, when set,
 * holds each capture until it resolves, to keep a payment in flight on purpose.
 */
export class RecordingPaymentGateway implements PaymentGateway {
  readonly captures: CaptureCall[] = [];
  readonly refunds: { orderId: string; paymentId: string; amountCents: number }[] = [];
  gate: Promise<void> | undefined;
  /** Likewise for refunds: each waits for it after being recorded. */
  refundGate: Promise<void> | undefined;
  /** When set, every capture fails with it, as a gateway outage would (not a decline). */
  failure: Error | undefined;
  private readonly inner = new TestPaymentGateway();

  async capture(input: CaptureCall): Promise<{ paymentId: string }> {
    this.captures.push({ ...input });
    if (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    return this.inner.capture(input);
  }

  async refund(input: { orderId: string; paymentId: string; amountCents: number }): Promise<void> {
    this.refunds.push({ ...input });
    if (this.refundGate) await this.refundGate;
  }

  /** Holds every capture at the gateway until the returned function is called. */
  holdCaptures(): () => void {
    let release = () => {};
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  }

  /** Likewise for refunds. */
  holdRefunds(): () => void {
    let release = () => {};
    this.refundGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  }

  capturesOf(orderId: string): CaptureCall[] {
    return this.captures.filter((capture) => capture.orderId === orderId);
  }
}

export class RecordingScheduler implements ExpiryScheduler {
  readonly scheduled: { orderId: string; at: string }[] = [];
  /** When set, every schedule fails with it (after the hold committed). */
  failure: Error | undefined;

  async scheduleExpiry(orderId: string, at: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.scheduled.push({ orderId, at });
  }
}

/** Keeps the order emails handed to it, which are what order tests read. */
export class RecordingEmailQueue implements EmailQueue {
  readonly sent: OrderEmailMessage[] = [];

  async send(message: EmailMessage): Promise<void> {
    if ('orderId' in message) this.sent.push(message);
  }
}

export interface OrderHarness {
  service: OrderUnits;
  clock: ManualClock;
  /** The real repository the service's (possibly wrapped) one delegates to. */
  repository: DynamoOrderRepository;
  events: DynamoEventRepository;
  payments: RecordingPaymentGateway;
  scheduler: RecordingScheduler;
  emails: RecordingEmailQueue;
  recoverable: { message: string; error: unknown }[];
}

/**
 * The order units on the real DynamoDB adapters, with a hand-moved clock and recording
 * fakes for the payment gateway, the expiry scheduler and the email queue. `wrap` may
 * put a fault-injecting or observing repository in front of the real one.
 */
export function orderHarness(
  options: {
    clock?: ManualClock;
    payments?: RecordingPaymentGateway;
    wrap?: (repository: DynamoOrderRepository) => OrderRepository;
    /** Likewise for the waitlist's repository. */
    wrapWaitlist?: (repository: DynamoWaitlistRepository) => WaitlistRepository;
    /** How long an event cancellation's request keeps releasing orders (real ms). */
    cancelEventBudgetMs?: number;
    /** How long a best-available hold keeps picking again (real ms). */
    bestAvailableBudgetMs?: number;
  } = {},
): OrderHarness {
  const clock = options.clock ?? new ManualClock();
  const repository = new DynamoOrderRepository(documentClient, tableName);
  const events = new DynamoEventRepository(documentClient, tableName);
  const payments = options.payments ?? new RecordingPaymentGateway();
  const scheduler = new RecordingScheduler();
  const emails = new RecordingEmailQueue();
  const recoverable: OrderHarness['recoverable'] = [];
  const onRecoverableError = (message: string, error: unknown) => {
    recoverable.push({ message, error });
  };
  const service = orderUnits({
    orders: options.wrap ? options.wrap(repository) : repository,
    events,
    waitlist: (options.wrapWaitlist ?? ((repository) => repository))(
      new DynamoWaitlistRepository(documentClient, tableName),
    ),
    customers: new DynamoUserRepository(documentClient, tableName),
    scheduler,
    payments,
    outbox: new DynamoOutboxRelay(documentClient, tableName, emails, onRecoverableError),
    clock,
    newId: ulid,
    onRecoverableError,
    metrics: noMetrics,
    ...(options.cancelEventBudgetMs !== undefined && {
      cancelEventBudgetMs: options.cancelEventBudgetMs,
    }),
    ...(options.bestAvailableBudgetMs !== undefined && {
      bestAvailableBudgetMs: options.bestAvailableBudgetMs,
    }),
  });
  return { service, clock, repository, events, payments, scheduler, emails, recoverable };
}

/**
 * A repository that delegates every call to `inner`, for tests that override one or two
 * methods to observe or break them.
 */
export function delegatingRepository(
  inner: OrderRepository,
  overrides: Partial<OrderRepository>,
): OrderRepository {
  return {
    get: (id) => inner.get(id),
    hold: (order, limits) => inner.hold(order, limits),
    startPayment: (order, token, now) => inner.startPayment(order, token, now),
    abandonPayment: (order, now) => inner.abandonPayment(order, now),
    confirm: (order, payment) => inner.confirm(order, payment),
    expire: (order, now, email) => inner.expire(order, now, email),
    cancelHeld: (order, now, email) => inner.cancelHeld(order, now, email),
    startRefund: (order, refund) => inner.startRefund(order, refund),
    refund: (order, now) => inner.refund(order, now),
    listByEvent: (eventId, query) => inner.listByEvent(eventId, query),
    eventCursorAfter: (order) => inner.eventCursorAfter(order),
    listByCustomer: (userId, query) => inner.listByCustomer(userId, query),
    dueForExpiry: (now, limit) => inner.dueForExpiry(now, limit),
    ...overrides,
  };
}

/** Every order item of an event, strongly consistent per item (ids from the event's index). */
export async function readEventOrders(eventId: string): Promise<Order[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  const { collection } = table.globalSecondaryIndexes;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: collection.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': collection.partitionKey },
        ExpressionAttributeValues: { ':pk': orderKeys.byEventPartition(eventId) },
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    ids.push(...(page.Items ?? []).map((item) => item.id as string));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const orders = await mapBounded(ids, 20, readOrderItem);
  return orders.filter((order) => order !== undefined) as unknown as Order[];
}

/**
 * The emails the handlers' local bus emits during each test of the calling file: call it
 * at the top level of a test file, and it hooks itself in before and after every test.
 */
export function captureBusEmails() {
  const sent: OrderEmailMessage[] = [];
  // Order emails only: a sign-up in the same test file mails a verification code too.
  const onEmail = (message: EmailMessage) => {
    if ('orderId' in message) sent.push(message);
  };
  beforeEach(() => {
    sent.length = 0;
    localBus.on('email', onEmail);
  });
  afterEach(() => {
    localBus.off('email', onEmail);
  });
  return {
    sent,
    /** The kinds emailed for one order, in the order sent. */
    kindsOf: (orderId: string) =>
      sent.filter((message) => message.orderId === orderId).map((message) => message.kind),
    clear: () => {
      sent.length = 0;
    },
  };
}

/**
 * The control tests' stock release without a guard: held back to available by delta,
 * whatever the order's state, as a check-then-write would do it.
 */
export async function releaseStockUnguarded(
  eventId: string,
  ticketTypeId: string,
  quantity: number,
): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: eventKeys.inventory(eventId),
      UpdateExpression:
        'SET ticketTypes.#t.available = ticketTypes.#t.available + :q, ticketTypes.#t.held = ticketTypes.#t.held - :q',
      ExpressionAttributeNames: { '#t': ticketTypeId },
      ExpressionAttributeValues: { ':q': quantity },
    }),
  );
}
