import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localBus } from '../../shared/adapters/local-bus.js';
import {
  createEvent,
  createPublishedEvent,
  createStartedEvent,
  readInventory,
  readTicketType,
} from '../support/events-api.js';
import { adminContext, customerContext, organizerContext } from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import {
  expectStockInvariant,
  hold,
  holdOk,
  readLiveTickets,
  readOrderItem,
} from '../support/orders-api.js';

let scheduled: { orderId: string; at: string }[];
const onSchedule = (wakeUp: { orderId: string; at: string }) => scheduled.push(wakeUp);
beforeEach(() => {
  scheduled = [];
  localBus.on('schedule', onSchedule);
});
afterEach(() => {
  localBus.off('schedule', onSchedule);
});

describe('POST /v1/events/{eventId}/orders — a hold', () => {
  it('takes the stock atomically, prices the order and schedules its expiry', async () => {
    // Prepare
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      holdSeconds: 300,
      currency: 'EUR',
      ticketTypes: [
        { name: 'GA', priceCents: 5000, capacity: 100 },
        { name: 'VIP', priceCents: 12000, capacity: 10 },
      ],
    });
    const [ga, vip] = event.ticketTypes;
    const customer = customerContext();

    // Act
    const response = await hold(customer, event.id, [
      { ticketTypeId: ga.id, quantity: 2 },
      { ticketTypeId: vip.id, quantity: 1 },
    ]);

    // Assess: the response
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    const order = response.body;
    expect(order).toMatchObject({
      id: expect.any(String),
      eventId: event.id,
      customer: { userId: customer.userId, email: customer.email, name: customer.name },
      items: [
        { ticketTypeId: ga.id, quantity: 2, unitPriceCents: 5000 },
        { ticketTypeId: vip.id, quantity: 1, unitPriceCents: 12000 },
      ],
      amountCents: 2 * 5000 + 12000,
      currency: 'EUR',
      status: 'HELD',
    });
    expect(Date.parse(order.expiresAt) - Date.parse(order.createdAt)).toBe(300_000);
    expect(order.updatedAt).toBe(order.createdAt);
    for (const internal of ['organizerId', 'paymentId', 'paymentToken', 'paidAt', 'cancelledAt']) {
      expect(order).not.toHaveProperty(internal);
    }

    // Assess: the stock, the customer's live tickets and the order, all strongly consistent
    const inventory = await readInventory(event.id);
    expect(inventory.orderCount).toBe(1);
    expect(inventory.ticketTypes[ga.id]).toMatchObject({ available: 98, held: 2, sold: 0 });
    expect(inventory.ticketTypes[vip.id]).toMatchObject({ available: 9, held: 1, sold: 0 });
    for (const ticketType of Object.values(inventory.ticketTypes)) expectStockInvariant(ticketType);
    expect(await readLiveTickets(event.id, customer.userId)).toBe(3);
    expect(await readOrderItem(order.id)).toMatchObject({
      status: 'HELD',
      organizerId: organizer.userId,
    });

    // Assess: one wake-up, at the expiry
    expect(scheduled).toEqual([{ orderId: order.id, at: order.expiresAt }]);

    // The owner reads back what the hold answered.
    const read = await invoke('GET', `/v1/orders/${order.id}`, { as: customer });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(order);
    // The event shows the live availability.
    const shown = await invoke('GET', `/v1/events/${event.id}`, { as: customer });
    expect(shown.body.ticketTypes.map((t: any) => t.available)).toEqual([98, 9]);
  });

  it('lets organizers and admins buy too: every role is a customer', async () => {
    const event = await createPublishedEvent(organizerContext());
    const ticketTypeId = event.ticketTypes[0].id;
    for (const buyer of [organizerContext(), adminContext()]) {
      const response = await hold(buyer, event.id, [{ ticketTypeId, quantity: 1 }]);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.customer.userId).toBe(buyer.userId);
    }
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({ available: 98, held: 2 });
  });

  it('answers 409 SOLD_OUT when not enough are left, and takes nothing of an order it refuses', async () => {
    // Prepare: 3 GA and 5 VIP, 2 GA already held
    const event = await createPublishedEvent(organizerContext(), {
      ticketTypes: [
        { name: 'GA', priceCents: 1000, capacity: 3 },
        { name: 'VIP', priceCents: 9000, capacity: 5 },
      ],
    });
    const [ga, vip] = event.ticketTypes;
    await holdOk(customerContext(), event.id, [{ ticketTypeId: ga.id, quantity: 2 }]);
    const before = await readInventory(event.id);

    // Act: 2 GA (1 left), and 2 VIP + 2 GA (VIP fits, GA does not)
    const tooMany = await hold(customerContext(), event.id, [{ ticketTypeId: ga.id, quantity: 2 }]);
    const mixed = await hold(customerContext(), event.id, [
      { ticketTypeId: vip.id, quantity: 2 },
      { ticketTypeId: ga.id, quantity: 2 },
    ]);

    // Assess
    expectProblem(tooMany, 409, 'SOLD_OUT');
    expectProblem(mixed, 409, 'SOLD_OUT');
    expect(await readInventory(event.id)).toEqual(before);
    // The last one still sells.
    await holdOk(customerContext(), event.id, [{ ticketTypeId: ga.id, quantity: 1 }]);
    expect(await readTicketType(event.id, ga.id)).toMatchObject({ available: 0, held: 3 });
  });

  it('answers 404 for an event that does not exist', async () => {
    const response = await hold(customerContext(), 'no-such-event', [
      { ticketTypeId: 'tt', quantity: 1 },
    ]);
    expectProblem(response, 404, 'NOT_FOUND');
  });
});

describe('POST /v1/events/{eventId}/orders — requests refused with the stock untouched', () => {
  async function onSale(overrides: Record<string, unknown> = {}) {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      maxTicketsPerOrder: 4,
      ticketTypes: [
        { name: 'GA', priceCents: 1000, capacity: 50 },
        { name: 'VIP', priceCents: 5000, capacity: 50 },
      ],
      ...overrides,
    });
    return { organizer, event, ga: event.ticketTypes[0].id, vip: event.ticketTypes[1].id };
  }

  const invalidItems: [string, (ga: string, vip: string) => unknown][] = [
    ['quantity 0', (ga) => [{ ticketTypeId: ga, quantity: 0 }]],
    ['quantity -1', (ga) => [{ ticketTypeId: ga, quantity: -1 }]],
    ['quantity 1.5', (ga) => [{ ticketTypeId: ga, quantity: 1.5 }]],
    ['quantity "1"', (ga) => [{ ticketTypeId: ga, quantity: '1' }]],
    ['quantity 1e9', (ga) => [{ ticketTypeId: ga, quantity: 1e9 }]],
    ['quantity null', (ga) => [{ ticketTypeId: ga, quantity: null }]],
    ['quantity missing', (ga) => [{ ticketTypeId: ga }]],
    ['ticketTypeId missing', () => [{ quantity: 1 }]],
    ['an unknown ticketTypeId', () => [{ ticketTypeId: 'no-such-type', quantity: 1 }]],
    [
      'duplicate ticketTypeIds',
      (ga) => [
        { ticketTypeId: ga, quantity: 1 },
        { ticketTypeId: ga, quantity: 1 },
      ],
    ],
    ['no items', () => []],
    ['items not an array', (ga) => ({ ticketTypeId: ga, quantity: 1 })],
    ['an unknown field in an item', (ga) => [{ ticketTypeId: ga, quantity: 1, priceCents: 0 }]],
  ];

  for (const [name, items] of invalidItems) {
    it(`400 VALIDATION_FAILED for ${name}`, async () => {
      const { event, ga, vip } = await onSale();
      const before = await readInventory(event.id);

      const response = await invoke('POST', `/v1/events/${event.id}/orders`, {
        as: customerContext(),
        body: { items: items(ga, vip) },
      });

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors?.length).toBeGreaterThan(0);
      expect(response.body.errors[0].path).toMatch(/^body/);
      expect(await readInventory(event.id)).toEqual(before);
    });
  }

  for (const [name, body] of [
    ['an unknown body field', { status: 'CONFIRMED' }],
    ['a customer set in the body', { customer: { userId: 'someone-else' } }],
    ['seatIds next to items', { seatIds: ['A-1-1'] }],
  ] as const) {
    it(`400 VALIDATION_FAILED for ${name}`, async () => {
      const { event, ga } = await onSale();
      const before = await readInventory(event.id);

      const response = await invoke('POST', `/v1/events/${event.id}/orders`, {
        as: customerContext(),
        body: { items: [{ ticketTypeId: ga, quantity: 1 }], ...body },
      });

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(await readInventory(event.id)).toEqual(before);
    });
  }

  it('400 VALIDATION_FAILED for a missing or malformed body', async () => {
    const { event } = await onSale();
    const before = await readInventory(event.id);
    const path = `/v1/events/${event.id}/orders`;
    for (const options of [{}, { rawBody: '{"items": [' }, { rawBody: 'null' }, { body: {} }]) {
      const response = await invoke('POST', path, { as: customerContext(), ...options });
      expectProblem(response, 400, 'VALIDATION_FAILED');
    }
    expect(await readInventory(event.id)).toEqual(before);
  });

  it('400 LIMIT_EXCEEDED above maxTicketsPerOrder, in one item or summed over items', async () => {
    const { event, ga, vip } = await onSale();
    const before = await readInventory(event.id);

    const one = await hold(customerContext(), event.id, [{ ticketTypeId: ga, quantity: 5 }]);
    const summed = await hold(customerContext(), event.id, [
      { ticketTypeId: ga, quantity: 2 },
      { ticketTypeId: vip, quantity: 3 },
    ]);

    expectProblem(one, 400, 'LIMIT_EXCEEDED');
    expectProblem(summed, 400, 'LIMIT_EXCEEDED');
    expect(await readInventory(event.id)).toEqual(before);
    // Exactly the limit is fine.
    await holdOk(customerContext(), event.id, [{ ticketTypeId: ga, quantity: 4 }]);
  });

  it('400 LIMIT_EXCEEDED for a customer whose live orders would pass the cap; a cancel frees room', async () => {
    // Prepare: a customer holds 3 of at most 4
    const { event, ga, vip } = await onSale();
    const customer = customerContext();
    const first = await holdOk(customer, event.id, [{ ticketTypeId: ga, quantity: 3 }]);
    const before = await readInventory(event.id);

    // Act
    const second = await hold(customer, event.id, [{ ticketTypeId: vip, quantity: 2 }]);

    // Assess
    expectProblem(second, 400, 'LIMIT_EXCEEDED');
    expect(await readInventory(event.id)).toEqual(before);
    expect(await readLiveTickets(event.id, customer.userId)).toBe(3);
    // Another customer is not affected, and the first one may still fill up to the cap.
    await holdOk(customerContext(), event.id, [{ ticketTypeId: vip, quantity: 4 }]);
    await holdOk(customer, event.id, [{ ticketTypeId: vip, quantity: 1 }]);
    expect(await readLiveTickets(event.id, customer.userId)).toBe(4);
    expectProblem(
      await hold(customer, event.id, [{ ticketTypeId: vip, quantity: 1 }]),
      400,
      'LIMIT_EXCEEDED',
    );

    // A cancelled order no longer counts.
    const cancelled = await invoke('POST', `/v1/orders/${first.id}/cancel`, { as: customer });
    expect(cancelled.status).toBe(200);
    expect(await readLiveTickets(event.id, customer.userId)).toBe(1);
    await holdOk(customer, event.id, [{ ticketTypeId: ga, quantity: 3 }]);
  });

  it('409 EVENT_NOT_ON_SALE for a draft to its organizer and admins, 404 to anyone else', async () => {
    const organizer = organizerContext();
    const draft = await createEvent(organizer);
    const ticketTypeId = draft.ticketTypes[0].id;
    const before = await readInventory(draft.id);
    const items = [{ ticketTypeId, quantity: 1 }];

    expectProblem(await hold(organizer, draft.id, items), 409, 'EVENT_NOT_ON_SALE');
    expectProblem(await hold(adminContext(), draft.id, items), 409, 'EVENT_NOT_ON_SALE');
    expectProblem(await hold(customerContext(), draft.id, items), 404, 'NOT_FOUND');
    expectProblem(await hold(organizerContext(), draft.id, items), 404, 'NOT_FOUND');
    expect(await readInventory(draft.id)).toEqual(before);
  });

  it('409 EVENT_NOT_ON_SALE for a cancelled event', async () => {
    const { organizer, event, ga } = await onSale();
    const cancelled = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });
    expect(cancelled.status).toBe(200);
    const before = await readInventory(event.id);

    const response = await hold(customerContext(), event.id, [{ ticketTypeId: ga, quantity: 1 }]);

    expectProblem(response, 409, 'EVENT_NOT_ON_SALE');
    expect(await readInventory(event.id)).toEqual(before);
  });

  it('409 EVENT_NOT_ON_SALE for an event that has started', async () => {
    const event = await createStartedEvent(organizerContext(), {
      startsAt: '2020-01-01T19:00:00.000Z',
      endsAt: '2020-01-01T23:00:00.000Z',
    });
    const ga = event.ticketTypes[0].id;
    const before = await readInventory(event.id);

    const response = await hold(customerContext(), event.id, [{ ticketTypeId: ga, quantity: 1 }]);

    expectProblem(response, 409, 'EVENT_NOT_ON_SALE');
    expect(await readInventory(event.id)).toEqual(before);
  });

  it('401 for an anonymous caller, before the body is looked at', async () => {
    const { event, ga } = await onSale();
    const before = await readInventory(event.id);
    for (const body of [{ items: [{ ticketTypeId: ga, quantity: 1 }] }, { nonsense: true }]) {
      const response = await invoke('POST', `/v1/events/${event.id}/orders`, { body });
      expectProblem(response, 401, 'UNAUTHENTICATED');
    }
    expect(await readInventory(event.id)).toEqual(before);
  });
});

describe('what holds mean for the event', () => {
  it('an event with an order cannot be deleted, even once the order is cancelled', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    const customer = customerContext();
    const order = await holdOk(customer, event.id, [
      { ticketTypeId: event.ticketTypes[0].id, quantity: 1 },
    ]);
    await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });

    const response = await invoke('DELETE', `/v1/events/${event.id}`, { as: organizer });

    expectProblem(response, 409, 'EVENT_HAS_ORDERS');
    expect((await readInventory(event.id)).orderCount).toBe(1);
  });

  it('a capacity cannot go below what is held and sold; down to it is fine', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const ticketTypeId = event.ticketTypes[0].id;
    const customer = customerContext();
    const paid = await holdOk(customer, event.id, [{ ticketTypeId, quantity: 2 }]);
    await invoke('POST', `/v1/orders/${paid.id}/pay`, {
      as: customer,
      body: { paymentToken: 'tok_visa' },
    });
    await holdOk(customerContext(), event.id, [{ ticketTypeId, quantity: 2 }]);
    const patch = (capacity: number) =>
      invoke('PATCH', `/v1/events/${event.id}`, {
        as: organizer,
        body: { ticketTypes: [{ id: ticketTypeId, capacity }] },
      });

    expectProblem(await patch(3), 409, 'CAPACITY_BELOW_SOLD');
    expect((await patch(4)).status).toBe(200);

    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ capacity: 4, available: 0, held: 2, sold: 2 });
    expectStockInvariant(stock);
    expectProblem(
      await hold(customerContext(), event.id, [{ ticketTypeId, quantity: 1 }]),
      409,
      'SOLD_OUT',
    );
  });
});
