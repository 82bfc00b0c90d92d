import { describe, expect, it } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import { eventService } from '../../shared/composition/events.js';
import { ValidationFailed } from '../../shared/domain/errors.js';
import { createPublishedEvent, readInventory, readTicketType } from '../support/events-api.js';
import {
  type AuthenticatedContext,
  adminContext,
  customerContext,
  organizerContext,
} from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import {
  captureBusEmails,
  expectStockInvariant,
  holdOk,
  listAllOrders,
  listAllOrdersWhere,
  mapBounded,
  orderHarness,
  principalOf,
  readLiveTickets,
  readOrderItem,
  registeredCustomer,
  setExpiresAt,
} from '../support/orders-api.js';

const bus = captureBusEmails();

async function eventWithHold(quantity = 2, priceCents = 4000) {
  const organizer = organizerContext();
  const event = await createPublishedEvent(organizer, {
    ticketTypes: [{ name: 'GA', priceCents, capacity: 20 }],
  });
  const ticketTypeId: string = event.ticketTypes[0].id;
  const customer = customerContext();
  const order = await holdOk(customer, event.id, [{ ticketTypeId, quantity }]);
  return { organizer, event, ticketTypeId, customer, order };
}

const pay = (as: AuthenticatedContext, orderId: string, paymentToken: string) =>
  invoke('POST', `/v1/orders/${orderId}/pay`, { as, body: { paymentToken } });

describe('POST /v1/orders/{orderId}/pay', () => {
  it('confirms a hold: held becomes sold, revenue counted, confirmation email queued', async () => {
    const { event, ticketTypeId, customer, order } = await eventWithHold(2, 4000);

    const response = await pay(customer, order.id, 'tok_visa');

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ id: order.id, status: 'CONFIRMED', amountCents: 8000 });
    expect(Date.parse(response.body.paidAt)).not.toBeNaN();
    expect(response.body).not.toHaveProperty('paymentId');
    expect(response.body).not.toHaveProperty('paymentToken');
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 18, held: 0, sold: 2, revenueCents: 8000 });
    expectStockInvariant(stock);
    const stored = await readOrderItem(order.id);
    expect(stored).toMatchObject({ status: 'CONFIRMED', paymentId: `pay_${order.id}` });
    expect(stored).not.toHaveProperty('paymentToken');
    // No longer in the due index: nothing will try to expire it.
    expect(stored).not.toHaveProperty('gsi5pk');
    expect(await readLiveTickets(event.id, customer.userId)).toBe(2);
    expect(bus.kindsOf(order.id)).toEqual(['order-confirmed']);
    const read = await invoke('GET', `/v1/orders/${order.id}`, { as: customer });
    expect(read.body).toEqual(response.body);
  });

  it('answers 402 PAYMENT_DECLINED for tok_declined and leaves the hold payable', async () => {
    const { event, ticketTypeId, customer, order } = await eventWithHold();
    const before = await readInventory(event.id);

    const declined = await pay(customer, order.id, 'tok_declined');

    expectProblem(declined, 402, 'PAYMENT_DECLINED');
    expect(await readInventory(event.id)).toEqual(before);
    const stored = await readOrderItem(order.id);
    expect(stored?.status).toBe('HELD');
    expect(stored).not.toHaveProperty('paymentToken');
    expect(stored).not.toHaveProperty('paymentId');
    expect((await invoke('GET', `/v1/orders/${order.id}`, { as: customer })).body.status).toBe(
      'HELD',
    );
    expect(bus.kindsOf(order.id)).toEqual([]);

    const paid = await pay(customer, order.id, 'tok_visa');
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('CONFIRMED');
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({ held: 0, sold: 2 });
  });

  it('paying a CONFIRMED order again answers 200 with the same payment, charging nothing more', async () => {
    const { event, customer, order } = await eventWithHold();
    const first = await pay(customer, order.id, 'tok_visa');
    const storedFirst = await readOrderItem(order.id);
    const inventory = await readInventory(event.id);

    // Even with a token that would be declined: nothing is charged.
    for (const token of ['tok_visa', 'tok_declined']) {
      const again = await pay(customer, order.id, token);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    }

    expect(await readOrderItem(order.id)).toEqual(storedFirst);
    expect(await readInventory(event.id)).toEqual(inventory);
    expect(bus.kindsOf(order.id)).toEqual(['order-confirmed']);
  });

  it('answers 409 ORDER_NOT_PAYABLE for a hold past its expiry, before any expiry job ran', async () => {
    const { event, customer, order } = await eventWithHold();
    await setExpiresAt(order.id, new Date(Date.now() - 1000).toISOString());
    const before = await readInventory(event.id);

    const response = await pay(customer, order.id, 'tok_visa');

    expectProblem(response, 409, 'ORDER_NOT_PAYABLE');
    const stored = await readOrderItem(order.id);
    expect(stored).not.toHaveProperty('paymentId');
    expect(stored?.status).not.toBe('CONFIRMED');
    expect(await readInventory(event.id)).toEqual(before);
  });

  it('answers 409 ORDER_NOT_PAYABLE for a cancelled or expired order', async () => {
    const cancelled = await eventWithHold();
    await invoke('POST', `/v1/orders/${cancelled.order.id}/cancel`, { as: cancelled.customer });
    expectProblem(
      await pay(cancelled.customer, cancelled.order.id, 'tok_visa'),
      409,
      'ORDER_NOT_PAYABLE',
    );

    const expired = await eventWithHold();
    await setExpiresAt(expired.order.id, new Date(Date.now() - 1000).toISOString());
    expect(await expireHold({ orderId: expired.order.id })).toEqual({ expired: true });
    expectProblem(
      await pay(expired.customer, expired.order.id, 'tok_visa'),
      409,
      'ORDER_NOT_PAYABLE',
    );
  });

  it('only the customer may pay: 403 for the organizer and admins, 404 for strangers', async () => {
    const { event, organizer, order } = await eventWithHold();
    const before = await readInventory(event.id);

    expectProblem(await pay(organizer, order.id, 'tok_visa'), 403, 'FORBIDDEN');
    expectProblem(await pay(adminContext(), order.id, 'tok_visa'), 403, 'FORBIDDEN');
    expectProblem(await pay(customerContext(), order.id, 'tok_visa'), 404, 'NOT_FOUND');
    expectProblem(await pay(customerContext(), 'no-such-order', 'tok_visa'), 404, 'NOT_FOUND');

    expect((await readOrderItem(order.id))?.status).toBe('HELD');
    expect(await readInventory(event.id)).toEqual(before);
  });

  it('400 VALIDATION_FAILED for a missing token or an unknown field', async () => {
    const { customer, order } = await eventWithHold();
    for (const body of [{}, { paymentToken: '' }, { paymentToken: 'tok_visa', amountCents: 1 }]) {
      const response = await invoke('POST', `/v1/orders/${order.id}/pay`, { as: customer, body });
      expectProblem(response, 400, 'VALIDATION_FAILED');
    }
    expect((await readOrderItem(order.id))?.status).toBe('HELD');
  });
});

describe('reads of a hold past its expiry', () => {
  it('show EXPIRED everywhere before the expiry job ran, and after it', async () => {
    // Prepare: two holds of one customer, one of them past its expiry, no job run
    const { organizer, event, ticketTypeId, customer, order } = await eventWithHold(2);
    const live = await holdOk(customer, event.id, [{ ticketTypeId, quantity: 1 }]);
    await setExpiresAt(order.id, new Date(Date.now() - 1000).toISOString());

    // Assess: the store still says HELD and the stock is still held …
    expect((await readOrderItem(order.id))?.status).toBe('HELD');
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({ held: 3 });

    // … but every read says EXPIRED
    for (const as of [customer, organizer, adminContext()]) {
      const read = await invoke('GET', `/v1/orders/${order.id}`, { as });
      expect(read.body.status).toBe('EXPIRED');
    }
    const mine = await invoke('GET', '/v1/me/orders', { as: customer });
    expect(Object.fromEntries(mine.body.items.map((o: any) => [o.id, o.status]))).toEqual({
      [order.id]: 'EXPIRED',
      [live.id]: 'HELD',
    });
    const expiredIds = (await listAllOrders(organizer, event.id, { status: 'EXPIRED' })).map(
      (o) => o.id,
    );
    const heldIds = (await listAllOrders(organizer, event.id, { status: 'HELD' })).map((o) => o.id);
    expect(expiredIds).toEqual([order.id]);
    expect(heldIds).toEqual([live.id]);
    const myExpired = await invoke('GET', '/v1/me/orders?status=EXPIRED', { as: customer });
    expect(myExpired.body.items.map((o: any) => o.id)).toEqual([order.id]);

    // Act: the expiry job
    expect(await expireHold({ orderId: order.id })).toEqual({ expired: true });

    // Assess: the stock is back, and reads say the same as before
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({
      available: 19,
      held: 1,
    });
    expect((await invoke('GET', `/v1/orders/${order.id}`, { as: customer })).body.status).toBe(
      'EXPIRED',
    );
    expect(await readLiveTickets(event.id, customer.userId)).toBe(1);
    expect(bus.kindsOf(order.id)).toEqual(['hold-expired']);
  });
});

describe('POST /v1/orders/{orderId}/cancel', () => {
  it('cancels a hold, returns the stock once; a second cancel answers 200 and changes nothing', async () => {
    const { event, ticketTypeId, customer, order } = await eventWithHold(3);

    const first = await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });
    const afterFirst = await readInventory(event.id);
    const second = await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });

    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ id: order.id, status: 'CANCELLED' });
    expect(Date.parse(first.body.cancelledAt)).not.toBeNaN();
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const stock = afterFirst.ticketTypes[ticketTypeId];
    expect(stock).toMatchObject({ available: 20, held: 0, sold: 0 });
    expect(await readInventory(event.id)).toEqual(afterFirst);
    expect(await readLiveTickets(event.id, customer.userId)).toBe(0);
    expect(bus.kindsOf(order.id)).toEqual(['order-cancelled']);
    expect(await readOrderItem(order.id)).not.toHaveProperty('gsi5pk');
  });

  it('refunds a confirmed order: sold goes back on sale, revenue comes off', async () => {
    const { event, ticketTypeId, customer, order } = await eventWithHold(2, 4000);
    expect((await pay(customer, order.id, 'tok_visa')).status).toBe(200);
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({
      sold: 2,
      revenueCents: 8000,
    });

    const refunded = await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });
    const again = await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });

    expect(refunded.status, JSON.stringify(refunded.body)).toBe(200);
    expect(refunded.body).toMatchObject({ status: 'REFUNDED', paidAt: expect.any(String) });
    expect(again.body).toEqual(refunded.body);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 20, held: 0, sold: 0, revenueCents: 0 });
    expectStockInvariant(stock);
    expect(await readLiveTickets(event.id, customer.userId)).toBe(0);
    expect(bus.kindsOf(order.id)).toEqual(['order-confirmed', 'order-refunded']);
  });

  it('the customer and admins may cancel; the organizer gets 403, strangers 404, nothing changes', async () => {
    const one = await eventWithHold();
    const before = await readInventory(one.event.id);
    for (const stranger of [customerContext(), organizerContext()]) {
      const response = await invoke('POST', `/v1/orders/${one.order.id}/cancel`, { as: stranger });
      expectProblem(response, 404, 'NOT_FOUND');
    }
    // The event's organizer sees the order, but a customer's money and tickets are not
    // theirs to move: they cancel the whole event instead.
    const byOrganizer = await invoke('POST', `/v1/orders/${one.order.id}/cancel`, {
      as: one.organizer,
    });
    expectProblem(byOrganizer, 403, 'FORBIDDEN');
    expect(await readInventory(one.event.id)).toEqual(before);
    expect(await readOrderItem(one.order.id)).toMatchObject({ status: 'HELD' });

    const byAdmin = await invoke('POST', `/v1/orders/${one.order.id}/cancel`, {
      as: adminContext(),
    });
    expect(byAdmin.body.status).toBe('CANCELLED');

    const two = await eventWithHold();
    const byCustomer = await invoke('POST', `/v1/orders/${two.order.id}/cancel`, {
      as: two.customer,
    });
    expect(byCustomer.body.status).toBe('CANCELLED');
  });

  it('cancelling a hold past its expiry expires it instead (the stock comes back once)', async () => {
    const { event, ticketTypeId, customer, order } = await eventWithHold(2);
    await setExpiresAt(order.id, new Date(Date.now() - 1000).toISOString());

    const response = await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });
    const late = await expireHold({ orderId: order.id });

    expect(response.status).toBe(200);
    expect(response.body.status).toBe('EXPIRED');
    expect(late).toEqual({ expired: false });
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({
      available: 20,
      held: 0,
    });
    expect(bus.kindsOf(order.id)).toEqual(['hold-expired']);
  });
});

describe('POST /v1/events/{eventId}/cancel with orders', () => {
  it('releases every hold, refunds every paid order, leaves finished ones, and puts all stock back', async () => {
    // Prepare: 3 holds, 2 paid, 1 cancelled, 1 hold past its expiry (not yet expired by a job)
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [
        { name: 'GA', priceCents: 3000, capacity: 30 },
        { name: 'VIP', priceCents: 10000, capacity: 10 },
      ],
    });
    const [ga, vip] = event.ticketTypes;
    const orders: { id: string; customer: ReturnType<typeof customerContext>; role: string }[] = [];
    for (const role of ['held', 'held', 'held', 'paid', 'paid', 'cancelled', 'lapsed']) {
      const customer = customerContext();
      const order = await holdOk(customer, event.id, [
        { ticketTypeId: ga.id, quantity: 2 },
        { ticketTypeId: vip.id, quantity: 1 },
      ]);
      if (role === 'paid') expect((await pay(customer, order.id, 'tok_visa')).status).toBe(200);
      if (role === 'cancelled') {
        await invoke('POST', `/v1/orders/${order.id}/cancel`, { as: customer });
      }
      if (role === 'lapsed')
        await setExpiresAt(order.id, new Date(Date.now() - 1000).toISOString());
      orders.push({ id: order.id, customer, role });
    }
    bus.clear();

    // Act
    const response = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

    // Assess: the event
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.status).toBe('CANCELLED');

    // Assess: each order
    const expected: Record<string, string> = {
      held: 'CANCELLED',
      paid: 'REFUNDED',
      cancelled: 'CANCELLED',
      lapsed: 'EXPIRED',
    };
    for (const order of orders) {
      const stored = await readOrderItem(order.id);
      expect(stored?.status, order.role).toBe(expected[order.role]);
      expect(await readLiveTickets(event.id, order.customer.userId)).toBe(0);
    }

    // Assess: all stock back, no revenue left
    const inventory = await readInventory(event.id);
    expect(inventory.ticketTypes[ga.id]).toMatchObject({
      capacity: 30,
      available: 30,
      held: 0,
      sold: 0,
      revenueCents: 0,
    });
    expect(inventory.ticketTypes[vip.id]).toMatchObject({
      capacity: 10,
      available: 10,
      held: 0,
      sold: 0,
      revenueCents: 0,
    });

    // Assess: one email per released order, none for the one cancelled before. The lapsed
    // hold ends EXPIRED, but its customer, like every other, hears of the cancellation.
    for (const order of orders) {
      const kinds = bus.kindsOf(order.id);
      if (order.role === 'cancelled') expect(kinds).toEqual([]);
      else expect(kinds).toEqual(['event-cancelled']);
    }

    // Cancelling again changes nothing.
    const again = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });
    expect(again.status).toBe(200);
    expect(await readInventory(event.id)).toEqual(inventory);
  });
});

describe('POST /v1/events/{eventId}/cancel with many orders', () => {
  it('pages through more than one page of orders and releases them all', async () => {
    // Prepare: 130 holds (pages of 100)
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 200 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    // A generous budget: this is about paging, not about what the request leaves to the sweep.
    const harness = orderHarness({ cancelEventBudgetMs: 120_000 });
    const customers = Array.from({ length: 130 }, () => principalOf(customerContext()));
    const orders = await mapBounded(customers, 25, (customer) =>
      harness.service.hold(customer, event.id, { items: [{ ticketTypeId, quantity: 1 }] }),
    );
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({ held: 130 });

    // Act
    const cancelled = await harness.service.cancelEvent(
      principalOf(organizer),
      event.id,
      eventService,
    );

    // Assess
    expect(cancelled.status).toBe('CANCELLED');
    const statuses = await mapBounded(orders, 20, async (o) => (await readOrderItem(o.id))?.status);
    expect(new Set(statuses)).toEqual(new Set(['CANCELLED']));
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({
      available: 200,
      held: 0,
      sold: 0,
    });
  });
});

describe('GET /v1/orders and /v1/me/orders', () => {
  it("pages through an event's orders and filters by status and customer email", async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    const ticketTypeId = event.ticketTypes[0].id;
    const customers = Array.from({ length: 5 }, () => customerContext());
    const ids: string[] = [];
    for (const customer of customers) {
      ids.push((await holdOk(customer, event.id, [{ ticketTypeId, quantity: 1 }])).id);
    }
    const [first] = customers;
    if (!first) throw new Error('no customer');
    await pay(first, ids[0] as string, 'tok_visa');

    // Pages of 2, newest first, covering every order once.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ eventId: event.id, limit: '2' });
      if (cursor) query.set('cursor', cursor);
      const page = await invoke('GET', `/v1/orders?${query}`, { as: organizer });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((o: any) => o.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);

    const confirmed = await listAllOrders(organizer, event.id, { status: 'CONFIRMED' });
    expect(confirmed.map((o) => o.id)).toEqual([ids[0]]);
    const byEmail = await listAllOrders(organizer, event.id, {
      customerEmail: first.email.toUpperCase(),
    });
    expect(byEmail.map((o) => o.id)).toEqual([ids[0]]);
    for (const order of confirmed) expect(order).not.toHaveProperty('paymentId');

    // A customer's own list holds only their orders.
    const mine = await invoke('GET', '/v1/me/orders', { as: first });
    expect(mine.body).toMatchObject({
      items: [{ id: ids[0], status: 'CONFIRMED' }],
      nextCursor: null,
    });
  });

  it('400 VALIDATION_FAILED with neither eventId nor customerEmail, pointing at eventId', async () => {
    const organizer = organizerContext();
    for (const query of ['', '?status=CONFIRMED&limit=5']) {
      const response = await invoke('GET', `/v1/orders${query}`, { as: organizer });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        { path: 'query.eventId', message: 'give eventId or customerEmail' },
      ]);
    }
    // The service insists too, for callers that do not come through the handler.
    await expect(
      orderHarness().service.listOrders(principalOf(adminContext()), { limit: 20 }),
    ).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('400 VALIDATION_FAILED with an unknown or invalid filter', async () => {
    const organizer = organizerContext();
    for (const query of [
      '?customerEmail=not-an-email',
      '?eventId=x&status=PAYING',
      '?eventId=x&color=red',
      '?eventId=x&limit=101',
    ]) {
      expectProblem(
        await invoke('GET', `/v1/orders${query}`, { as: organizer }),
        400,
        'VALIDATION_FAILED',
      );
    }
  });
});

describe('GET /v1/orders?customerEmail= without an eventId', () => {
  /**
   * A registered customer with one hold on each of three events, two of `organizer`'s
   * and one of `otherOrganizer`'s, taken one after another; and another customer's hold.
   */
  async function customerAcrossEvents() {
    const organizer = organizerContext();
    const otherOrganizer = organizerContext();
    const [first, foreign, second] = await Promise.all([
      createPublishedEvent(organizer),
      createPublishedEvent(otherOrganizer),
      createPublishedEvent(organizer),
    ]);
    const [customer, bystander] = await Promise.all([registeredCustomer(), registeredCustomer()]);
    const holdOne = (as: AuthenticatedContext, event: any) =>
      holdOk(as, event.id, [{ ticketTypeId: event.ticketTypes[0].id, quantity: 1 }]);
    const orders = {
      first: (await holdOne(customer, first)).id as string,
      foreign: (await holdOne(customer, foreign)).id as string,
      second: (await holdOne(customer, second)).id as string,
    };
    await holdOne(bystander, first);
    return { organizer, otherOrganizer, customer, orders };
  }

  it("gives an admin all of the customer's orders across events, newest first, in any case of the email", async () => {
    const { customer, orders } = await customerAcrossEvents();

    const listed = await listAllOrdersWhere(adminContext(), {
      customerEmail: customer.email.toUpperCase(),
    });

    expect(listed.map((order) => order.id)).toEqual([orders.second, orders.foreign, orders.first]);
    for (const order of listed) {
      expect(order.customer.userId).toBe(customer.userId);
      expect(order).not.toHaveProperty('organizerId');
    }
  });

  it('gives an organizer only the orders on their own events', async () => {
    const { organizer, otherOrganizer, customer, orders } = await customerAcrossEvents();

    const own = await listAllOrdersWhere(organizer, { customerEmail: customer.email });
    const others = await listAllOrdersWhere(otherOrganizer, { customerEmail: customer.email });

    expect(own.map((order) => order.id)).toEqual([orders.second, orders.first]);
    expect(others.map((order) => order.id)).toEqual([orders.foreign]);
  });

  it('filters by status, EXPIRED derived from the expiry before any job ran', async () => {
    const { organizer, customer, orders } = await customerAcrossEvents();
    const paid = await pay(customer, orders.first, 'tok_visa');
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    await setExpiresAt(orders.second, new Date(Date.now() - 1000).toISOString());
    const admin = adminContext();
    const ids = async (as: AuthenticatedContext, status: string) =>
      (await listAllOrdersWhere(as, { customerEmail: customer.email, status })).map((o) => o.id);

    expect(await ids(admin, 'CONFIRMED')).toEqual([orders.first]);
    expect(await ids(admin, 'EXPIRED')).toEqual([orders.second]);
    expect(await ids(admin, 'HELD')).toEqual([orders.foreign]);
    expect(await ids(admin, 'CANCELLED')).toEqual([]);
    // The organizer's own filter and the status filter together.
    expect(await ids(organizer, 'HELD')).toEqual([]);
    expect(await ids(organizer, 'EXPIRED')).toEqual([orders.second]);
  });

  it('pages with limit=1, the cursor walking every order once, for an admin and an organizer', async () => {
    const { organizer, customer, orders } = await customerAcrossEvents();
    /** The ids of every page, in order, until the cursor runs out. */
    const walk = async (as: AuthenticatedContext) => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ customerEmail: customer.email, limit: '1' });
        if (cursor !== null) query.set('cursor', cursor);
        const page = await invoke('GET', `/v1/orders?${query}`, { as });
        expect(page.status, JSON.stringify(page.body)).toBe(200);
        pages.push(page.body.items.map((order: any) => order.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null && pages.length < 10);
      return pages;
    };

    const asAdmin = await walk(adminContext());
    const asOrganizer = await walk(organizer);

    expect(asAdmin.flat()).toEqual([orders.second, orders.foreign, orders.first]);
    expect(asOrganizer.flat()).toEqual([orders.second, orders.first]);
    // Full pages until the end: the organizer's filter is applied while reading, not to a
    // page already cut, which would leave an empty page where the foreign order was.
    for (const pages of [asAdmin, asOrganizer]) {
      expect(pages.slice(0, -1).map((ids) => ids.length)).toEqual(pages.slice(0, -1).map(() => 1));
      expect(pages.at(-1)?.length).toBeLessThanOrEqual(1);
    }
  });

  it('answers an email nobody registered with an empty page', async () => {
    const organizer = organizerContext();
    // An order whose customer has no stored profile: found by event, never by email alone.
    const event = await createPublishedEvent(organizer);
    const unregistered = customerContext();
    await holdOk(unregistered, event.id, [{ ticketTypeId: event.ticketTypes[0].id, quantity: 1 }]);

    for (const as of [adminContext(), organizer]) {
      for (const email of [unregistered.email, 'nobody-at-all@example.com']) {
        const response = await invoke(
          'GET',
          `/v1/orders?${new URLSearchParams({ customerEmail: email })}`,
          { as },
        );
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        expect(response.body).toEqual({ items: [], nextCursor: null });
      }
    }
    expect(
      await listAllOrders(organizer, event.id, { customerEmail: unregistered.email }),
    ).toHaveLength(1);
  });
});
