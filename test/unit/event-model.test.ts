import { describe, expect, it } from 'vitest';
import {
  createEventSchema,
  listEventsQuerySchema,
  toEventView,
  updateEventSchema,
} from '../../shared/domain/event-model.js';
import { eventBody, eventState, ticketTypeState } from '../support/events-fixtures.js';

const withTicketType = (ticketType: Record<string, unknown>) =>
  eventBody({ ticketTypes: [{ name: 'GA', priceCents: 100, capacity: 10, ...ticketType }] });

describe('createEventSchema', () => {
  it('applies the SPEC defaults: maxTicketsPerOrder 10, holdSeconds 600, currency USD', () => {
    const parsed = createEventSchema.parse(eventBody());

    expect(parsed).toMatchObject({ maxTicketsPerOrder: 10, holdSeconds: 600, currency: 'USD' });
  });

  it('normalises timestamps to UTC with milliseconds', () => {
    const parsed = createEventSchema.parse(eventBody({ startsAt: '2030-06-01T21:30:00+02:00' }));

    expect(parsed.startsAt).toBe('2030-06-01T19:30:00.000Z');
  });

  it.each([
    ['status', { status: 'PUBLISHED' }],
    ['organizerId', { organizerId: 'someone-else' }],
    ['id', { id: 'chosen-id' }],
  ])('rejects the unknown top-level field %s', (_, extra) => {
    expect(createEventSchema.safeParse(eventBody(extra)).success).toBe(false);
  });

  it('rejects unknown fields inside venue and ticket types', () => {
    const venue = eventBody({
      venue: { name: 'Hall', latitude: 1, longitude: 2, capacity: 5 },
    });
    const ticketType = withTicketType({ available: 5 });

    expect(createEventSchema.safeParse(venue).success).toBe(false);
    expect(createEventSchema.safeParse(ticketType).success).toBe(false);
  });

  it.each([0, -1, 1.5, '1', null, 1_000_001])('rejects capacity %j', (capacity) => {
    expect(createEventSchema.safeParse(withTicketType({ capacity })).success).toBe(false);
  });

  it.each([-1, 0.5, '100'])('rejects priceCents %j', (priceCents) => {
    expect(createEventSchema.safeParse(withTicketType({ priceCents })).success).toBe(false);
  });

  it('accepts a free ticket type (priceCents 0) and capacity 1', () => {
    expect(
      createEventSchema.safeParse(withTicketType({ priceCents: 0, capacity: 1 })).success,
    ).toBe(true);
  });

  it.each([
    ['maxTicketsPerOrder', 0],
    ['maxTicketsPerOrder', 101],
    ['maxTicketsPerOrder', 2.5],
    ['holdSeconds', 4],
    ['holdSeconds', 86_401],
    ['currency', 'usd'],
    ['currency', 'DOLLARS'],
  ])('rejects %s %j', (field, value) => {
    expect(createEventSchema.safeParse(eventBody({ [field]: value })).success).toBe(false);
  });

  it('requires at least one ticket type', () => {
    expect(createEventSchema.safeParse(eventBody({ ticketTypes: [] })).success).toBe(false);
  });

  it.each(['name', 'startsAt', 'venue', 'ticketTypes'])('requires %s', (field) => {
    const body = eventBody();
    delete body[field];

    expect(createEventSchema.safeParse(body).success).toBe(false);
  });

  it('requires venue name, latitude and longitude in range', () => {
    for (const venue of [
      { latitude: 1, longitude: 2 },
      { name: 'Hall', longitude: 2 },
      { name: 'Hall', latitude: 91, longitude: 2 },
      { name: 'Hall', latitude: 1, longitude: -181 },
    ]) {
      expect(createEventSchema.safeParse(eventBody({ venue })).success).toBe(false);
    }
  });

  it.each([
    '2030-13-01T00:00:00Z',
    '2030-02-30T00:00:00Z',
    '2030-06-01',
    '2030-06-01 19:30:00Z',
    'tomorrow',
    1_900_000_000_000,
  ])('rejects startsAt %j', (startsAt) => {
    expect(createEventSchema.safeParse(eventBody({ startsAt })).success).toBe(false);
  });

  it('rejects a blank name', () => {
    expect(createEventSchema.safeParse(eventBody({ name: '   ' })).success).toBe(false);
  });
});

describe('updateEventSchema', () => {
  it('rejects an empty body', () => {
    expect(updateEventSchema.safeParse({}).success).toBe(false);
  });

  it('rejects fields nobody may set through a body', () => {
    for (const body of [{ status: 'PUBLISHED' }, { organizerId: 'x' }, { version: 7 }]) {
      expect(updateEventSchema.safeParse(body).success).toBe(false);
    }
  });

  it('accepts null for endsAt and description, a partial venue and a capacity change', () => {
    const parsed = updateEventSchema.parse({
      endsAt: null,
      description: null,
      venue: { city: 'Paris' },
      ticketTypes: [{ id: 'tt-1', capacity: 5 }],
    });

    expect(parsed).toEqual({
      endsAt: null,
      description: null,
      venue: { city: 'Paris' },
      ticketTypes: [{ id: 'tt-1', capacity: 5 }],
    });
  });

  it('rejects unknown venue fields, bad capacities and incomplete new ticket types', () => {
    for (const body of [
      { venue: { seats: 5 } },
      { ticketTypes: [{ id: 'tt-1', capacity: 0 }] },
      { ticketTypes: [{ id: 'tt-1', capacity: 2.5 }] },
      { ticketTypes: [{ id: 'tt-1', capacity: '3' }] },
      { ticketTypes: [{ id: 'tt-1', available: 3 }] },
      { ticketTypes: [{ name: 'No price', capacity: 3 }] },
    ]) {
      expect(updateEventSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });

  it('does not default anything, so absent fields stay as they are', () => {
    expect(updateEventSchema.parse({ name: 'Renamed' })).toEqual({ name: 'Renamed' });
  });
});

describe('listEventsQuerySchema', () => {
  it('defaults limit to 20 and coerces the query string', () => {
    expect(listEventsQuerySchema.parse({}).limit).toBe(20);
    expect(listEventsQuerySchema.parse({ limit: '100' }).limit).toBe(100);
  });

  it.each(['101', '0', '-1', '2.5', 'ten', ''])('rejects limit %j', (limit) => {
    expect(listEventsQuerySchema.safeParse({ limit }).success).toBe(false);
  });

  it.each(['2030-13-01T00:00:00Z', '2030-06-01', 'yesterday'])('rejects from %j', (from) => {
    expect(listEventsQuerySchema.safeParse({ from }).success).toBe(false);
  });

  it('rejects from after to, and accepts from equal to to', () => {
    expect(
      listEventsQuerySchema.safeParse({
        from: '2030-06-02T00:00:00Z',
        to: '2030-06-01T00:00:00Z',
      }).success,
    ).toBe(false);
    expect(
      listEventsQuerySchema.safeParse({
        from: '2030-06-01T00:00:00Z',
        to: '2030-06-01T00:00:00Z',
      }).success,
    ).toBe(true);
  });

  it('compares from and to as instants, not as the strings the client sent', () => {
    // 01:00+02:00 is 23:00Z the day before, so from < to although the raw strings say otherwise
    const parsed = listEventsQuerySchema.safeParse({
      from: '2030-06-02T01:00:00+02:00',
      to: '2030-06-01T23:30:00Z',
    });

    expect(parsed.success).toBe(true);
  });

  it('rejects unknown query parameters and unknown statuses', () => {
    expect(listEventsQuerySchema.safeParse({ sort: 'name' }).success).toBe(false);
    expect(listEventsQuerySchema.safeParse({ status: 'published' }).success).toBe(false);
  });

  it('rejects a blank q and an empty cursor', () => {
    expect(listEventsQuerySchema.safeParse({ q: '   ' }).success).toBe(false);
    expect(listEventsQuerySchema.safeParse({ cursor: '' }).success).toBe(false);
  });
});

describe('toEventView', () => {
  it('shows ticket types in position order without internal counters or bookkeeping', () => {
    const view = toEventView(
      eventState({
        ticketTypes: [
          ticketTypeState({ id: 'b', name: 'VIP', position: 1, held: 3, sold: 2, available: 95 }),
          ticketTypeState({ id: 'a', name: 'GA', position: 0 }),
        ],
        orderCount: 4,
        version: 9,
      }),
    );

    expect(view.ticketTypes.map(({ id }) => id)).toEqual(['a', 'b']);
    expect(view.ticketTypes[1]).toEqual({
      id: 'b',
      name: 'VIP',
      priceCents: 5000,
      capacity: 100,
      available: 95,
    });
    expect(view).not.toHaveProperty('orderCount');
    expect(view).not.toHaveProperty('version');
  });
});
