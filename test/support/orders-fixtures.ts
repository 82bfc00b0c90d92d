/**
 * Orders for unit tests of the orders path: as the domain sees them, and as stored
 * single-table items in the exact shape the DynamoDB adapters write them, so mocked
 * reads look like the real table.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { orderKeys } from '../../shared/db/table.js';
import type { Order } from '../../shared/domain/order-model.js';
import { uniqueToken } from './events-fixtures.js';

export const FUTURE_STARTS_AT = '2030-06-01T19:30:00.000Z';

/**
 * The META and INVENTORY items of an event (published unless told) with one ticket type
 * `tt-ga` of 100, in the stored single-table shape. `available` alone counts the rest
 * as held; `ticketType` sets every counter.
 */
export function storedEventItems(
  options: {
    id?: string;
    organizerId?: string;
    status?: 'DRAFT' | 'PUBLISHED' | 'CANCELLED';
    version?: number;
    orderCount?: number;
    available?: number;
    ticketType?: { capacity: number; available: number; held: number; sold: number };
    maxTicketsPerOrder?: number;
    holdSeconds?: number;
  } = {},
) {
  const id = options.id ?? uniqueToken('ev');
  const organizerId = options.organizerId ?? 'org-owner';
  const status = options.status ?? 'PUBLISHED';
  const available = options.available ?? 100;
  const counters = options.ticketType ?? {
    capacity: 100,
    available,
    held: 100 - available,
    sold: 0,
  };
  const meta = {
    pk: `EVENT#${id}`,
    sk: 'META',
    entity: 'Event',
    id,
    organizerId,
    name: 'Mocked Concert',
    nameLower: 'mocked concert',
    venue: { name: 'Hall', latitude: 52.5, longitude: 13.4 },
    startsAt: FUTURE_STARTS_AT,
    currency: 'USD',
    status,
    version: options.version ?? 1,
    createdAt: '2029-01-01T00:00:00.000Z',
    updatedAt: '2029-01-01T00:00:00.000Z',
    gsi1pk: `STATUS#${status}`,
    gsi1sk: `${FUTURE_STARTS_AT}#${id}`,
    gsi2pk: `ORGANIZER#${organizerId}`,
    gsi2sk: `${FUTURE_STARTS_AT}#${id}`,
  };
  const inventory = {
    pk: `EVENT#${id}`,
    sk: 'INVENTORY',
    entity: 'EventInventory',
    eventId: id,
    status,
    startsAt: FUTURE_STARTS_AT,
    currency: 'USD',
    maxTicketsPerOrder: options.maxTicketsPerOrder ?? 10,
    holdSeconds: options.holdSeconds ?? 600,
    orderCount: options.orderCount ?? 0,
    ticketTypes: {
      'tt-ga': { name: 'GA', priceCents: 5000, revenueCents: 0, position: 0, ...counters },
    },
  };
  return { id, meta, inventory };
}

/**
 * An order as the domain sees it: HELD until 2030-01-01T00:10Z, 3 tickets of two types
 * (2 × 1000 + 1 × 5000 = 7000 cents), in USD.
 */
export function domainOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: 'ord-1',
    eventId: 'ev-1',
    eventName: 'Concert',
    organizerId: 'org-1',
    customer: { userId: 'cust-1', email: 'cust-1@example.com', name: 'C' },
    items: [
      { ticketTypeId: 'tt-ga', quantity: 2, unitPriceCents: 1000 },
      { ticketTypeId: 'tt-vip', quantity: 1, unitPriceCents: 5000 },
    ],
    amountCents: 7000,
    currency: 'USD',
    status: 'HELD',
    expiresAt: '2030-01-01T00:10:00.000Z',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A paid order of two GA tickets at 25.00: what the email tests render and send. */
export function paidOrder(overrides: Partial<Order> = {}): Order {
  return domainOrder({
    id: '01JORDER000000000000000001',
    eventName: 'Spring Gala',
    customer: { userId: 'cust-1', email: 'ada@example.com', name: 'Ada' },
    items: [{ ticketTypeId: 'tt-ga', quantity: 2, unitPriceCents: 2500 }],
    amountCents: 5000,
    status: 'CONFIRMED',
    updatedAt: '2030-01-01T00:01:00.000Z',
    paidAt: '2030-01-01T00:01:00.000Z',
    ...overrides,
  });
}

/** A stored ORDER item (internal fields and index keys included). */
export function storedOrderItem(
  options: {
    id?: string;
    eventId?: string;
    userId?: string;
    status?: 'HELD' | 'PAYING' | 'CONFIRMED' | 'EXPIRED' | 'CANCELLED' | 'REFUNDED';
    expiresAt?: string;
    quantity?: number;
  } = {},
) {
  const id = options.id ?? uniqueToken('ord');
  const eventId = options.eventId ?? 'ev-1';
  const userId = options.userId ?? 'cust-1';
  const status = options.status ?? 'HELD';
  const expiresAt = options.expiresAt ?? '2020-01-01T00:10:00.000Z';
  const createdAt = '2020-01-01T00:00:00.000Z';
  const quantity = options.quantity ?? 2;
  return {
    pk: `ORDER#${id}`,
    sk: 'ORDER',
    entity: 'Order',
    id,
    eventId,
    eventName: 'Mocked Concert',
    organizerId: 'org-owner',
    customer: { userId, email: `${userId}@example.com`, name: 'Customer' },
    customerEmail: `${userId}@example.com`,
    items: [{ ticketTypeId: 'tt-ga', quantity, unitPriceCents: 5000 }],
    amountCents: quantity * 5000,
    currency: 'USD',
    status,
    expiresAt,
    createdAt,
    updatedAt: createdAt,
    gsi1pk: `EVENT_ORDERS#${eventId}`,
    gsi1sk: `${createdAt}#${id}`,
    gsi2pk: `CUSTOMER#${userId}`,
    gsi2sk: `${createdAt}#${id}`,
    ...((status === 'HELD' || status === 'PAYING') && {
      gsi5pk: orderKeys.expiringShards.of(id),
      gsi5sk: `${expiresAt}#${id}`,
    }),
  };
}

/** A cancelled TransactWriteItems, one reason per item (`None` where it did not fail). */
export function transactionCanceled(
  ...reasons: (string | { Code: string; Item?: Record<string, unknown> })[]
): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: {},
    CancellationReasons: reasons.map((reason) =>
      typeof reason === 'string' ? { Code: reason } : (reason as never),
    ),
  });
}
