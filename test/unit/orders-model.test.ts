import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/domain/event-model.js';
import {
  effectiveStatus,
  holdSchema,
  listOrdersQuerySchema,
  payBodySchema,
  ticketCount,
  toOrderView,
} from '../../shared/domain/order-model.js';
import { domainOrder } from '../support/orders-fixtures.js';

const at = (iso: string) => new Date(iso);

describe('effectiveStatus', () => {
  it('reads a HELD order as EXPIRED from its expiresAt on, whether or not a job ran', () => {
    expect(effectiveStatus(domainOrder(), at('2030-01-01T00:09:59.999Z'))).toBe('HELD');
    expect(effectiveStatus(domainOrder(), at('2030-01-01T00:10:00.000Z'))).toBe('EXPIRED');
    expect(effectiveStatus(domainOrder(), at('2031-01-01T00:00:00.000Z'))).toBe('EXPIRED');
  });

  it('shows a payment under way as HELD, even past the expiry', () => {
    expect(effectiveStatus(domainOrder({ status: 'PAYING' }), at('2031-01-01T00:00:00.000Z'))).toBe(
      'HELD',
    );
  });

  it('leaves finished orders as they are', () => {
    for (const status of ['CONFIRMED', 'EXPIRED', 'CANCELLED', 'REFUNDED'] as const) {
      expect(effectiveStatus(domainOrder({ status }), at('2031-01-01T00:00:00.000Z'))).toBe(status);
    }
  });
});

describe('toOrderView', () => {
  it('hides the organizer, the payment id and the payment token', () => {
    const view = toOrderView(
      domainOrder({ status: 'PAYING', paymentId: 'pay_1', paymentToken: 'tok_visa' }),
      at('2030-01-01T00:00:01.000Z'),
    );
    expect(view).not.toHaveProperty('organizerId');
    expect(view).not.toHaveProperty('paymentId');
    expect(view).not.toHaveProperty('paymentToken');
    expect(view.status).toBe('HELD');
    expect(view).toMatchObject({ id: 'ord-1', amountCents: 7000, customer: { userId: 'cust-1' } });
  });
});

describe('ticketCount', () => {
  it('sums the quantities of all items', () => {
    expect(ticketCount(domainOrder())).toBe(3);
  });
});

describe('holdSchema', () => {
  const item = (quantity: unknown, ticketTypeId: unknown = 'ga') => ({ ticketTypeId, quantity });

  it('accepts whole quantities from 1 to 100 of distinct ticket types', () => {
    expect(holdSchema.safeParse({ items: [item(1)] }).success).toBe(true);
    expect(holdSchema.safeParse({ items: [item(100), item(3, 'vip')] }).success).toBe(true);
  });

  it.each([
    ['zero', [item(0)]],
    ['negative', [item(-1)]],
    ['fractional', [item(1.5)]],
    ['a string', [item('1')]],
    ['huge', [item(1e9)]],
    ['NaN-like null', [item(null)]],
    ['missing', [{ ticketTypeId: 'ga' }]],
    ['an empty ticketTypeId', [item(1, '')]],
    ['duplicated ticket types', [item(1), item(2)]],
    ['no items', []],
    ['an unknown item field', [{ ...item(1), seatIds: ['A-1'] }]],
  ])('rejects a quantity or item that is %s', (_name, items) => {
    expect(holdSchema.safeParse({ items }).success).toBe(false);
  });

  it('rejects unknown body fields and a missing items list', () => {
    expect(holdSchema.safeParse({ items: [item(1)], status: 'CONFIRMED' }).success).toBe(false);
    expect(holdSchema.safeParse({}).success).toBe(false);
    expect(holdSchema.safeParse(null).success).toBe(false);
  });
});

describe('holdSchema by seat', () => {
  const seats = (count: number) => Array.from({ length: count }, (_, i) => `Main-A-${i + 1}`);

  it(`accepts 1 to ${LIMITS.seatsPerOrder} distinct seat ids`, () => {
    expect(holdSchema.safeParse({ seatIds: seats(1) }).success).toBe(true);
    expect(holdSchema.safeParse({ seatIds: seats(LIMITS.seatsPerOrder) }).success).toBe(true);
  });

  it.each([
    ['no seats', { seatIds: [] }],
    ['too many seats', { seatIds: seats(LIMITS.seatsPerOrder + 1) }],
    ['a duplicate seat', { seatIds: ['Main-A-1', 'Main-A-1'] }],
    ['an empty seat id', { seatIds: [''] }],
    ['a seat id not shaped <section>-<row>-<number>', { seatIds: ['Main-A-01'] }],
    ['a seat id with free text', { seatIds: ['Main-A-1\u202e'] }],
    ['a seat id that is not a string', { seatIds: [12] }],
    ['seatIds with items', { seatIds: ['Main-A-1'], items: [{ ticketTypeId: 'ga', quantity: 1 }] }],
    ['seatIds with an unknown field', { seatIds: ['Main-A-1'], bestAvailable: {} }],
  ])('rejects %s', (_name, body) => {
    expect(holdSchema.safeParse(body).success).toBe(false);
  });
});

describe('request schemas', () => {
  it('payBodySchema needs exactly a non-empty paymentToken', () => {
    expect(payBodySchema.safeParse({ paymentToken: 'tok_visa' }).success).toBe(true);
    expect(payBodySchema.safeParse({ paymentToken: '' }).success).toBe(false);
    expect(payBodySchema.safeParse({}).success).toBe(false);
    expect(payBodySchema.safeParse({ paymentToken: 'tok_visa', amountCents: 1 }).success).toBe(
      false,
    );
  });

  it('listOrdersQuerySchema needs an eventId or a customerEmail, knows the public statuses only, lower-cases the email', () => {
    const neither = listOrdersQuerySchema.safeParse({ status: 'CONFIRMED' });
    expect(neither.error?.issues).toEqual([
      expect.objectContaining({ path: ['eventId'], message: 'give eventId or customerEmail' }),
    ]);
    expect(listOrdersQuerySchema.parse({ customerEmail: 'A@Example.COM' })).toEqual({
      customerEmail: 'a@example.com',
      limit: 20,
    });
    expect(listOrdersQuerySchema.safeParse({ eventId: 'e', status: 'PAYING' }).success).toBe(false);
    expect(
      listOrdersQuerySchema.parse({ eventId: 'e', customerEmail: 'A@Example.COM', limit: '5' }),
    ).toEqual({ eventId: 'e', customerEmail: 'a@example.com', limit: 5 });
  });
});
