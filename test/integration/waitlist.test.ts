import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import { waitlistKeys } from '../../shared/db/table.js';
import {
  createPublishedEvent,
  createSeatedEvent,
  documentClient,
  readInventory,
  readTicketType,
  tableName,
} from '../support/events-api.js';
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
  readOrderItem,
  setExpiresAt,
} from '../support/orders-api.js';

const bus = captureBusEmails();

/** A published event whose one GA type of `capacity` is sold out to one customer's hold. */
async function soldOutEvent(capacity = 2) {
  const organizer = organizerContext();
  const event = await createPublishedEvent(organizer, {
    ticketTypes: [{ name: 'GA', priceCents: 2500, capacity }],
    maxTicketsPerOrder: 4,
  });
  const ticketTypeId: string = event.ticketTypes[0].id;
  const holder = customerContext();
  const hold = await holdOk(holder, event.id, [{ ticketTypeId, quantity: capacity }]);
  return { organizer, event, ticketTypeId, holder, hold };
}

const join = (as: AuthenticatedContext, eventId: string, ticketTypeId: string, quantity: number) =>
  invoke('POST', `/v1/events/${eventId}/waitlist`, { as, body: { ticketTypeId, quantity } });

async function joinOk(
  as: AuthenticatedContext,
  eventId: string,
  ticketTypeId: string,
  quantity: number,
) {
  const response = await join(as, eventId, ticketTypeId, quantity);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const cancel = (as: AuthenticatedContext, orderId: string) =>
  invoke('POST', `/v1/orders/${orderId}/cancel`, { as });

async function myWaitlist(as: AuthenticatedContext): Promise<any[]> {
  const response = await invoke('GET', '/v1/me/waitlist', { as });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items;
}

async function readEntry(entryId: string) {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: waitlistKeys.entry(entryId),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** The waitlist's counters of one type on INVENTORY: waiting entries, pool, joins. */
async function waitlistCountersOf(eventId: string, ticketTypeId: string) {
  const inventory = (await readInventory(eventId)) as Record<string, unknown>;
  const read = (name: string) => (inventory[name] as number | undefined) ?? 0;
  return {
    waiting: read(`waiting#${ticketTypeId}`),
    reserved: read(`reserved#${ticketTypeId}`),
    joined: read(`joined#${ticketTypeId}`),
    anyWaiting: read('waiting'),
  };
}

describe('joining the waitlist', () => {
  it('201 WAITING with positions first come first; GET /v1/me/waitlist shows them', async () => {
    const { event, ticketTypeId } = await soldOutEvent();
    const first = customerContext();
    const second = customerContext();

    const a = await joinOk(first, event.id, ticketTypeId, 1);
    const b = await joinOk(second, event.id, ticketTypeId, 2);

    expect(a).toMatchObject({
      eventId: event.id,
      ticketTypeId,
      quantity: 1,
      position: 1,
      status: 'WAITING',
    });
    expect(Object.keys(a).sort()).toEqual(
      ['createdAt', 'eventId', 'id', 'position', 'quantity', 'status', 'ticketTypeId'].sort(),
    );
    expect(b).toMatchObject({ position: 2, status: 'WAITING', quantity: 2 });
    expect(await myWaitlist(second)).toEqual([b]);
    expect(await waitlistCountersOf(event.id, ticketTypeId)).toEqual({
      waiting: 2,
      reserved: 0,
      joined: 2,
      anyWaiting: 2,
    });
  });

  it('409 NOT_SOLD_OUT while the tickets asked for are on sale; nothing written', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 2500, capacity: 3 }],
      maxTicketsPerOrder: 4,
    });
    const ticketTypeId = event.ticketTypes[0].id;
    const customer = customerContext();
    const before = await readInventory(event.id);

    expectProblem(await join(customer, event.id, ticketTypeId, 3), 409, 'NOT_SOLD_OUT');

    expect(await readInventory(event.id)).toEqual(before);
    expect(await myWaitlist(customer)).toEqual([]);
    // Fewer on sale than asked for counts as sold out for that request.
    expect((await join(customer, event.id, ticketTypeId, 4)).status).toBe(201);
  });

  it('409 ALREADY_WAITLISTED for a second live entry of the same type', async () => {
    const { event, ticketTypeId } = await soldOutEvent();
    const customer = customerContext();
    await joinOk(customer, event.id, ticketTypeId, 1);
    const before = await readInventory(event.id);

    expectProblem(await join(customer, event.id, ticketTypeId, 2), 409, 'ALREADY_WAITLISTED');

    expect(await readInventory(event.id)).toEqual(before);
    expect(await myWaitlist(customer)).toHaveLength(1);
  });

  it('bad input: 400 with its path, 404 for an unknown event, nothing written', async () => {
    const { event, ticketTypeId } = await soldOutEvent();
    const customer = customerContext();
    const before = await readInventory(event.id);

    expectProblem(await join(customer, event.id, ticketTypeId, 5), 400, 'LIMIT_EXCEEDED');
    const none = await join(customer, event.id, ticketTypeId, 0);
    expectProblem(none, 400, 'VALIDATION_FAILED');
    expect(none.body.errors[0].path).toBe('body.quantity');
    const unknownType = await join(customer, event.id, 'nope', 1);
    expectProblem(unknownType, 400, 'VALIDATION_FAILED');
    expect(unknownType.body.errors[0].path).toBe('body.ticketTypeId');
    const extra = await invoke('POST', `/v1/events/${event.id}/waitlist`, {
      as: customer,
      body: { ticketTypeId, quantity: 1, seatIds: ['A-1'] },
    });
    expectProblem(extra, 400, 'VALIDATION_FAILED');
    expectProblem(await join(customer, 'no-such-event', ticketTypeId, 1), 404, 'NOT_FOUND');

    expect(await readInventory(event.id)).toEqual(before);
    expect(await myWaitlist(customer)).toEqual([]);
  });
});

describe('leaving the waitlist', () => {
  it('the owner: 204, out of line, counters back; others 404; an admin may', async () => {
    const { event, ticketTypeId } = await soldOutEvent();
    const owner = customerContext();
    const behind = customerContext();
    const entry = await joinOk(owner, event.id, ticketTypeId, 1);
    const next = await joinOk(behind, event.id, ticketTypeId, 1);

    expectProblem(
      await invoke('DELETE', `/v1/waitlist/${entry.id}`, { as: customerContext() }),
      404,
      'NOT_FOUND',
    );
    const left = await invoke('DELETE', `/v1/waitlist/${entry.id}`, { as: owner });

    expect(left.status).toBe(204);
    expect(await readEntry(entry.id)).toBeUndefined();
    expect(await myWaitlist(owner)).toEqual([]);
    expect((await myWaitlist(behind))[0]).toMatchObject({ id: next.id, position: 1 });
    expect(await waitlistCountersOf(event.id, ticketTypeId)).toMatchObject({
      waiting: 1,
      anyWaiting: 1,
    });
    // The claim went with it: the owner may join again, at the back.
    expect((await joinOk(owner, event.id, ticketTypeId, 1)).position).toBe(2);
    const byAdmin = await invoke('DELETE', `/v1/waitlist/${next.id}`, { as: adminContext() });
    expect(byAdmin.status).toBe(204);
    expectProblem(
      await invoke('DELETE', `/v1/waitlist/${next.id}`, { as: behind }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('freed tickets go to the line first', () => {
  it('a cancelled hold becomes the head entry’s HELD order, emailed once; nobody else can buy them', async () => {
    const { event, ticketTypeId, holder, hold } = await soldOutEvent(2);
    const waiter = customerContext();
    const entry = await joinOk(waiter, event.id, ticketTypeId, 2);

    expect((await cancel(holder, hold.id)).status).toBe(200);

    const [offered] = await myWaitlist(waiter);
    expect(offered).toMatchObject({ id: entry.id, status: 'OFFERED' });
    expect(offered).not.toHaveProperty('position');
    const mine = await invoke('GET', '/v1/me/orders', { as: waiter });
    expect(mine.body.items).toHaveLength(1);
    const order = mine.body.items[0];
    expect(order).toMatchObject({
      id: offered.orderId,
      status: 'HELD',
      items: [{ ticketTypeId, quantity: 2, unitPriceCents: 2500 }],
      amountCents: 5000,
    });
    expect(Date.parse(order.expiresAt) - Date.parse(order.createdAt)).toBe(
      event.holdSeconds * 1000,
    );
    expect(bus.kindsOf(order.id)).toEqual(['waitlist-offer']);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 0, held: 2 });
    expectStockInvariant(stock);
    expect(await waitlistCountersOf(event.id, ticketTypeId)).toMatchObject({
      waiting: 0,
      reserved: 0,
      anyWaiting: 0,
    });
    expectProblem(
      await invoke('POST', `/v1/events/${event.id}/orders`, {
        as: customerContext(),
        body: { items: [{ ticketTypeId, quantity: 1 }] },
      }),
      409,
      'SOLD_OUT',
    );
    // Paid like any other order.
    const paid = await invoke('POST', `/v1/orders/${order.id}/pay`, {
      as: waiter,
      body: { paymentToken: 'tok_visa' },
    });
    expect(paid.body.status).toBe('CONFIRMED');
  });

  it('skips an entry the freed tickets do not fit, without dropping it', async () => {
    const { event, ticketTypeId, holder, hold } = await soldOutEvent(2);
    const big = customerContext();
    const small = customerContext();
    const bigEntry = await joinOk(big, event.id, ticketTypeId, 3);
    const smallEntry = await joinOk(small, event.id, ticketTypeId, 2);

    await cancel(holder, hold.id);

    expect((await myWaitlist(small))[0]).toMatchObject({ id: smallEntry.id, status: 'OFFERED' });
    expect((await myWaitlist(big))[0]).toMatchObject({
      id: bigEntry.id,
      status: 'WAITING',
      position: 1,
    });
  });

  it('puts the tickets back on sale when no waiting entry fits them', async () => {
    const { event, ticketTypeId, holder, hold } = await soldOutEvent(2);
    const big = customerContext();
    await joinOk(big, event.id, ticketTypeId, 3);

    await cancel(holder, hold.id);

    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 2, held: 0 });
    expectStockInvariant(stock);
    expect(await waitlistCountersOf(event.id, ticketTypeId)).toMatchObject({
      waiting: 1,
      reserved: 0,
    });
    expect((await myWaitlist(big))[0]).toMatchObject({ status: 'WAITING', position: 1 });
  });

  it('an offer that lapses unpaid passes the tickets to the next entry', async () => {
    const { event, ticketTypeId, holder, hold } = await soldOutEvent(2);
    const first = customerContext();
    const second = customerContext();
    await joinOk(first, event.id, ticketTypeId, 2);
    await joinOk(second, event.id, ticketTypeId, 1);
    await cancel(holder, hold.id);
    const [offer] = await myWaitlist(first);

    await setExpiresAt(offer.orderId, new Date(Date.now() - 1000).toISOString());
    await expireHold({ orderId: offer.orderId });

    expect((await readOrderItem(offer.orderId))?.status).toBe('EXPIRED');
    expect(bus.kindsOf(offer.orderId)).toEqual(['waitlist-offer', 'hold-expired']);
    const [next] = await myWaitlist(second);
    expect(next.status).toBe('OFFERED');
    expect(bus.kindsOf(next.orderId)).toEqual(['waitlist-offer']);
    // One of the two went to the second entry; the other, fitting nobody, back on sale.
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 1, held: 1 });
    expectStockInvariant(stock);
  });

  it('a refunded order goes to the line too', async () => {
    const { event, ticketTypeId, holder, hold } = await soldOutEvent(2);
    await invoke('POST', `/v1/orders/${hold.id}/pay`, {
      as: holder,
      body: { paymentToken: 'tok_visa' },
    });
    const waiter = customerContext();
    await joinOk(waiter, event.id, ticketTypeId, 1);

    expect((await cancel(holder, hold.id)).body.status).toBe('REFUNDED');

    const [offered] = await myWaitlist(waiter);
    expect(offered.status).toBe('OFFERED');
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: 1, held: 1, sold: 0 });
    expectStockInvariant(stock);
  });
});

describe('a capacity raise while somebody waits', () => {
  it('goes to the line first: the head gets its offer, the rest goes on sale', async () => {
    const { organizer, event, ticketTypeId } = await soldOutEvent(2);
    const waiter = customerContext();
    await joinOk(waiter, event.id, ticketTypeId, 2);

    const raised = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { ticketTypes: [{ id: ticketTypeId, capacity: 5 }] },
    });

    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect(raised.body.ticketTypes[0]).toMatchObject({ capacity: 5 });
    const [offered] = await myWaitlist(waiter);
    expect(offered.status).toBe('OFFERED');
    expect(bus.kindsOf(offered.orderId)).toEqual(['waitlist-offer']);
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ capacity: 5, available: 1, held: 4 });
    expectStockInvariant(stock);
    expect(await waitlistCountersOf(event.id, ticketTypeId)).toMatchObject({ reserved: 0 });
  });
});

describe('seated types', () => {
  it('offers the freed seats as they are; nobody else can take them meanwhile', async () => {
    const { event, box } = await createSeatedEvent({ main: [2], side: [2], box: [3] });
    const holder = customerContext();
    const first = await invoke('POST', `/v1/events/${event.id}/orders`, {
      as: holder,
      body: { seatIds: ['Box-A-1', 'Box-A-2'] },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    await invoke('POST', `/v1/events/${event.id}/orders`, {
      as: customerContext(),
      body: { seatIds: ['Box-A-3'] },
    });
    const waiter = customerContext();
    await joinOk(waiter, event.id, box, 2);

    await cancel(holder, first.body.id);

    const [offered] = await myWaitlist(waiter);
    expect(offered.status).toBe('OFFERED');
    const order = (await invoke('GET', `/v1/orders/${offered.orderId}`, { as: waiter })).body;
    expect(order.items).toEqual([
      { ticketTypeId: box, quantity: 2, unitPriceCents: 15000, seatIds: ['Box-A-1', 'Box-A-2'] },
    ]);
    const map = await invoke('GET', `/v1/events/${event.id}/seats?section=Box`, {
      as: customerContext(),
    });
    expect(map.body.items.map((seat: { status: string }) => seat.status)).toEqual([
      'HELD',
      'HELD',
      'HELD',
    ]);
    expectProblem(
      await invoke('POST', `/v1/events/${event.id}/orders`, {
        as: customerContext(),
        body: { seatIds: ['Box-A-1'] },
      }),
      409,
      'SEAT_UNAVAILABLE',
    );
    const stock = await readTicketType(event.id, box);
    expect(stock).toMatchObject({ available: 0, held: 3 });
    expectStockInvariant(stock);
  });

  it('puts freed seats nobody in line fits back on sale, AVAILABLE on the map', async () => {
    const { event, box } = await createSeatedEvent({ main: [2], side: [2], box: [2] });
    const holder = customerContext();
    const first = await invoke('POST', `/v1/events/${event.id}/orders`, {
      as: holder,
      body: { seatIds: ['Box-A-1'] },
    });
    await invoke('POST', `/v1/events/${event.id}/orders`, {
      as: customerContext(),
      body: { seatIds: ['Box-A-2'] },
    });
    await joinOk(customerContext(), event.id, box, 2);

    await cancel(holder, first.body.id);

    const map = await invoke('GET', `/v1/events/${event.id}/seats?section=Box`, {
      as: customerContext(),
    });
    expect(map.body.items.map((seat: { status: string }) => seat.status)).toEqual([
      'AVAILABLE',
      'HELD',
    ]);
    expect(await readTicketType(event.id, box)).toMatchObject({ available: 1, held: 1 });
    expect(await waitlistCountersOf(event.id, box)).toMatchObject({ reserved: 0, waiting: 1 });
  });
});

describe('an event cancelled while people wait', () => {
  it('releases its orders to nobody and takes every entry out of line', async () => {
    const { organizer, event, ticketTypeId, hold } = await soldOutEvent(2);
    const waiters = [customerContext(), customerContext()];
    for (const waiter of waiters) await joinOk(waiter, event.id, ticketTypeId, 1);

    const cancelled = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    for (const waiter of waiters) expect(await myWaitlist(waiter)).toEqual([]);
    expect((await readOrderItem(hold.id))?.status).toBe('CANCELLED');
    expect(bus.kindsOf(hold.id)).toEqual(['event-cancelled']);
    expect(await waitlistCountersOf(event.id, ticketTypeId)).toMatchObject({
      waiting: 0,
      reserved: 0,
      anyWaiting: 0,
    });
    expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({ held: 0, available: 2 });
    // Finished: no longer pending in the due index.
    expect(await readInventory(event.id)).not.toHaveProperty('gsi3pk');
  });
});
