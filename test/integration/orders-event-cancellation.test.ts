import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { localBus } from '../../shared/adapters/local-bus.js';
import { eventKeys, table } from '../../shared/db/table.js';
import type { EmailMessage, OrderEmailMessage } from '../../shared/domain/email-model.js';
import { createEventSchema } from '../../shared/domain/event-model.js';
import { EventService } from '../../shared/domain/events.js';
import type { Principal } from '../../shared/domain/principal.js';
import { createPublishedEvent, readInventory, readTicketType } from '../support/events-api.js';
import {
  customerContext,
  eventBody,
  organizerContext,
  principals,
  uniqueToken,
} from '../support/events-fixtures.js';
import { invoke } from '../support/invoke.js';
import {
  delegatingRepository,
  documentClient,
  expectStockInvariant,
  holdOk,
  ManualClock,
  type OrderHarness,
  orderHarness,
  readLiveTickets,
  readOrderItem,
  readOutbox,
  tableName,
} from '../support/orders-api.js';

/*
 * An event cancellation releases or refunds the event's orders within the request's time
 * budget, and marks the cancellation pending in the due index until none of its tickets
 * is held or sold; the sweep finishes what the request left.
 *
 * Tests that run the sweep use a hand-moved clock in 2004, each in its own month, so the
 * sweep sees only their own pending cancellations (the due index is shared by every test
 * of the run; other tests cancel at today's date, which a 2004 sweep never reaches).
 */

const { due } = table.globalSecondaryIndexes;
const GRACE_MS = 60_000;

/** The due keys on the event's INVENTORY item, read strongly consistently. */
async function dueKeysOf(eventId: string): Promise<Record<string, unknown>> {
  const { Item: inventory } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: eventKeys.inventory(eventId),
      ConsistentRead: true,
    }),
  );
  if (!inventory) throw new Error(`no INVENTORY item for ${eventId}`);
  return Object.fromEntries(
    [due.partitionKey, due.sortKey].filter((key) => key in inventory).map((k) => [k, inventory[k]]),
  );
}

/** Where the sweep's next run over the event's orders resumes, as stored on INVENTORY. */
async function cancellingCursorOf(eventId: string): Promise<unknown> {
  return ((await readInventory(eventId)) as Record<string, unknown>).cancellingCursor;
}

/** The event's entries in the due index's pending-cancellation partition. */
async function pendingEntriesOf(eventId: string): Promise<Record<string, unknown>[]> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: due.indexName,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#eventId = :eventId',
      ExpressionAttributeNames: { '#pk': due.partitionKey, '#eventId': 'eventId' },
      ExpressionAttributeValues: { ':pk': eventKeys.cancellingPartition, ':eventId': eventId },
    }),
  );
  return result.Items ?? [];
}

interface World {
  clock: ManualClock;
  harness: OrderHarness;
  events: EventService;
  organizer: Principal;
  eventId: string;
  ticketTypeId: string;
  held: string[];
  paid: string[];
  /** Cancelled by its customer before the event was. */
  ended: string;
}

/**
 * On `start`, a published event of 20 GA tickets at 25.00 with three holds, three paid
 * orders and one order its customer cancelled, 2 tickets each; emails sent so far are
 * forgotten.
 */
async function eventWithOrders(
  start: string,
  options: Parameters<typeof orderHarness>[0] = {},
): Promise<World> {
  const clock = new ManualClock(start);
  const harness = orderHarness({ clock, ...options });
  const events = new EventService(harness.events, clock, ulid);
  const organizer = principals.organizer(uniqueToken('org-'));
  const created = await events.create(
    organizer,
    createEventSchema.parse(
      eventBody({
        holdSeconds: 3600,
        ticketTypes: [{ name: 'GA', priceCents: 2500, capacity: 20 }],
      }),
    ),
  );
  await events.publish(organizer, created.id);
  const ticketTypeId = created.ticketTypes[0]?.id ?? '';
  const holdOne = async () => {
    const customer = principals.customer(uniqueToken('cust-'));
    const order = await harness.service.hold(customer, created.id, {
      items: [{ ticketTypeId, quantity: 2 }],
    });
    clock.advance(1);
    return { customer, order };
  };
  const held: string[] = [];
  const paid: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { customer, order } = await holdOne();
    expect((await harness.service.pay(customer, order.id, 'tok_visa')).status).toBe('CONFIRMED');
    paid.push(order.id);
  }
  for (let i = 0; i < 3; i++) held.push((await holdOne()).order.id);
  const cancelled = await holdOne();
  await harness.service.cancel(cancelled.customer, cancelled.order.id);
  harness.emails.sent.length = 0;
  return {
    clock,
    harness,
    events,
    organizer,
    eventId: created.id,
    ticketTypeId,
    held,
    paid,
    ended: cancelled.order.id,
  };
}

/** The statuses of a world's three holds then three paid orders, before and after release. */
const STILL_LIVE = ['HELD', 'HELD', 'HELD', 'CONFIRMED', 'CONFIRMED', 'CONFIRMED'];
const ALL_RELEASED = ['CANCELLED', 'CANCELLED', 'CANCELLED', 'REFUNDED', 'REFUNDED', 'REFUNDED'];

const statusesOf = (ids: string[]) =>
  Promise.all(ids.map(async (id) => (await readOrderItem(id))?.status));

/** The sweep's pass over pending cancellations, past the grace left to the request. */
function sweepAfterGrace(world: World) {
  world.clock.advance(GRACE_MS + 1000);
  return world.harness.service.finishCancellations();
}

describe('an event cancellation that runs out of time', () => {
  it('answers CANCELLED with the orders still live and pending in the due index; the sweep releases them once', async () => {
    // Prepare
    const world = await eventWithOrders('2004-01-01T00:00:00.000Z', { cancelEventBudgetMs: 0 });
    const { harness, eventId, ticketTypeId, held, paid, ended } = world;
    const stockBefore = await readTicketType(eventId, ticketTypeId);
    expect(stockBefore).toMatchObject({ available: 8, held: 6, sold: 6, revenueCents: 15_000 });

    // Act: the request's budget is spent before it starts on any order
    const view = await harness.service.cancelEvent(world.organizer, eventId, world.events);

    // Assess: the event is cancelled, its orders untouched, its cancellation pending
    expect(view.status).toBe('CANCELLED');
    expect(await statusesOf(held)).toEqual(['HELD', 'HELD', 'HELD']);
    expect(await statusesOf(paid)).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
    expect(await readTicketType(eventId, ticketTypeId)).toEqual(stockBefore);
    expect(await dueKeysOf(eventId)).toEqual({
      [due.partitionKey]: 'EVENT_CANCELLING',
      [due.sortKey]: `${view.updatedAt}#${eventId}`,
    });
    expect(await pendingEntriesOf(eventId)).toHaveLength(1);
    expect(harness.payments.refunds).toEqual([]);
    expect(harness.emails.sent).toEqual([]);
    expect(harness.recoverable).toEqual([]);

    // CONTROL: without a sweep nothing else finishes it. Within the grace period the
    // sweep leaves it to the request, and half an hour later the orders are still live.
    world.clock.advance(30_000);
    expect(await harness.service.finishCancellations()).toEqual({
      released: 0,
      cancellationsFinished: 0,
    });
    world.clock.advance(30 * 60_000);
    expect(await statusesOf([...held, ...paid])).toEqual(STILL_LIVE);
    expect(harness.payments.refunds).toEqual([]);

    // Act: the sweep
    const swept = await sweepAfterGrace(world);

    // Assess: every live order released or refunded once, the stock back, one email
    // each, and the cancellation no longer pending
    expect(swept).toEqual({ released: 6, cancellationsFinished: 1 });
    expect(await statusesOf(held)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(await statusesOf(paid)).toEqual(['REFUNDED', 'REFUNDED', 'REFUNDED']);
    expect(await readOrderItem(ended)).toMatchObject({ status: 'CANCELLED' });
    const stock = await readTicketType(eventId, ticketTypeId);
    expect(stock).toMatchObject({ available: 20, held: 0, sold: 0, revenueCents: 0 });
    expectStockInvariant(stock);
    expect(harness.payments.refunds.map((refund) => refund.orderId).sort()).toEqual(
      [...paid].sort(),
    );
    expect(harness.emails.sent).toHaveLength(6);
    expect(new Set(harness.emails.sent.map((message) => message.kind))).toEqual(
      new Set(['event-cancelled']),
    );
    expect(harness.emails.sent.map((message) => message.orderId).sort()).toEqual(
      [...held, ...paid].sort(),
    );
    for (const orderId of [...held, ...paid]) {
      expect(await readOutbox(orderId, 'event-cancelled')).toBeUndefined();
      const order = await readOrderItem(orderId);
      expect(await readLiveTickets(eventId, order?.customer.userId)).toBe(0);
    }
    expect(await dueKeysOf(eventId)).toEqual({});
    expect(await pendingEntriesOf(eventId)).toEqual([]);

    // A second sweep changes nothing.
    const inventory = await readInventory(eventId);
    expect(await sweepAfterGrace(world)).toEqual({ released: 0, cancellationsFinished: 0 });
    expect(await readInventory(eventId)).toEqual(inventory);
    expect(harness.payments.refunds).toHaveLength(3);
    expect(harness.emails.sent).toHaveLength(6);
    expect(harness.recoverable).toEqual([]);
  });

  it('stops starting orders when its budget runs out mid-way; the sweep resumes after them', async () => {
    // Prepare: every release takes longer than the whole budget; listings are recorded
    const listings: { cursor: string | undefined; ids: string[] }[] = [];
    const world = await eventWithOrders('2004-02-01T00:00:00.000Z', {
      cancelEventBudgetMs: 300,
      wrap: (inner) =>
        delegatingRepository(inner, {
          listByEvent: async (eventId, query) => {
            const page = await inner.listByEvent(eventId, query);
            listings.push({ cursor: query.cursor, ids: page.items.map(({ id }) => id) });
            return page;
          },
          cancelHeld: async (order, now, email) => {
            await sleep(400);
            return inner.cancelHeld(order, now, email);
          },
          refund: async (order, now) => {
            await sleep(400);
            return inner.refund(order, now);
          },
        }),
    });
    const { harness, eventId, ticketTypeId, held, paid } = world;

    // Act
    const view = await harness.service.cancelEvent(world.organizer, eventId, world.events);

    // Assess: the newest order (a hold) was released, and nothing after it was started;
    // the request stored where it stopped
    expect(view.status).toBe('CANCELLED');
    expect(await statusesOf(held)).toEqual(['HELD', 'HELD', 'CANCELLED']);
    expect(await statusesOf(paid)).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
    expect(await readTicketType(eventId, ticketTypeId)).toMatchObject({ held: 4, sold: 6 });
    expect(await pendingEntriesOf(eventId)).toHaveLength(1);
    const newest = await harness.repository.get(held[2] ?? '');
    const stored = await cancellingCursorOf(eventId);
    expect(stored).toBe(newest && harness.repository.eventCursorAfter(newest));

    // Act: the sweep, whose own budget is ample
    listings.length = 0;
    const swept = await sweepAfterGrace(world);

    // Assess: it read on from the stored cursor, past the order the request released
    expect(listings).toEqual([{ cursor: stored, ids: [held[1], held[0], ...[...paid].reverse()] }]);
    expect(swept).toEqual({ released: 5, cancellationsFinished: 1 });
    expect(await statusesOf([...held, ...paid])).toEqual(ALL_RELEASED);
    expect(await readTicketType(eventId, ticketTypeId)).toMatchObject({
      available: 20,
      held: 0,
      sold: 0,
    });
    expect(harness.emails.sent.map((message) => message.orderId).sort()).toEqual(
      [...held, ...paid].sort(),
    );
    expect(await pendingEntriesOf(eventId)).toEqual([]);
    expect(await cancellingCursorOf(eventId)).toBeUndefined();
  });

  it('starts from the newest order when the stored cursor no longer decodes', async () => {
    // Prepare: a pending cancellation whose stored cursor is garbage
    const world = await eventWithOrders('2004-05-01T00:00:00.000Z', { cancelEventBudgetMs: 0 });
    const { harness, eventId, held, paid } = world;
    await harness.service.cancelEvent(world.organizer, eventId, world.events);
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: eventKeys.inventory(eventId),
        UpdateExpression: 'SET cancellingCursor = :garbage',
        ExpressionAttributeValues: { ':garbage': 'not-a-cursor' },
      }),
    );

    // Act
    const swept = await sweepAfterGrace(world);

    // Assess: reported, and everything released from the top
    expect(swept).toEqual({ released: 6, cancellationsFinished: 1 });
    expect(await statusesOf([...held, ...paid])).toEqual(ALL_RELEASED);
    expect(harness.recoverable.map(({ message }) => message)).toEqual([
      `Stored cursor of cancelled event ${eventId} is not valid; starting from the newest order`,
    ]);
    expect(await dueKeysOf(eventId)).toEqual({});
    expect(await cancellingCursorOf(eventId)).toBeUndefined();
  });
});

describe('paying for an order of a cancelled event', () => {
  it('answers 409 ORDER_NOT_PAYABLE with no charge while the hold awaits the sweep', async () => {
    // Prepare: two holds; the cancellation's request does not reach them
    const world = await eventWithOrders('2004-06-01T00:00:00.000Z', { cancelEventBudgetMs: 0 });
    const { harness, eventId, ticketTypeId } = world;
    const holdFor = async () => {
      const customer = principals.customer(uniqueToken('cust-'));
      const order = await harness.service.hold(customer, eventId, {
        items: [{ ticketTypeId, quantity: 1 }],
      });
      return { customer, order };
    };
    const early = await holdFor();
    const late = await holdFor();

    // CONTROL: before the cancel, the same payment goes through
    expect((await harness.service.pay(early.customer, early.order.id, 'tok_visa')).status).toBe(
      'CONFIRMED',
    );
    await harness.service.cancelEvent(world.organizer, eventId, world.events);
    const stock = await readTicketType(eventId, ticketTypeId);
    const captures = harness.payments.captures.length;
    harness.emails.sent.length = 0;

    // Act
    const refused = harness.service.pay(late.customer, late.order.id, 'tok_visa');

    // Assess: refused with nothing charged or changed
    await expect(refused).rejects.toMatchObject({
      status: 409,
      code: 'ORDER_NOT_PAYABLE',
      message: 'The event was cancelled; this order will be released',
    });
    expect(harness.payments.captures).toHaveLength(captures);
    expect(await readOrderItem(late.order.id)).toMatchObject({ status: 'HELD' });
    expect(await readTicketType(eventId, ticketTypeId)).toEqual(stock);
    // Paying the order confirmed before the cancel answers it as it is, with no charge.
    const again = await harness.service.pay(early.customer, early.order.id, 'tok_visa');
    expect(again.status).toBe('CONFIRMED');
    expect(harness.payments.captures).toHaveLength(captures);

    // Act: the sweep
    await sweepAfterGrace(world);

    // Assess: the hold released with the event-cancelled email, the paid order refunded
    expect(await statusesOf([late.order.id, early.order.id])).toEqual(['CANCELLED', 'REFUNDED']);
    expect(
      harness.emails.sent
        .filter(({ orderId }) => orderId === late.order.id || orderId === early.order.id)
        .map(({ orderId, kind }) => [orderId, kind]),
    ).toEqual(
      expect.arrayContaining([
        [late.order.id, 'event-cancelled'],
        [early.order.id, 'event-cancelled'],
      ]),
    );
    expect(harness.payments.captures).toHaveLength(captures);
    expect(await pendingEntriesOf(eventId)).toEqual([]);
  });
});

describe('an event cancellation near the end of its invocation', () => {
  it('starts no order when the invocation has no more than the answer margin left', async () => {
    // Prepare: a configured budget that would let it finish everything
    const world = await eventWithOrders('2004-08-01T00:00:00.000Z', {
      cancelEventBudgetMs: 120_000,
    });

    // Act: 3 s left, all of it kept for answering
    const view = await world.harness.service.cancelEvent(
      world.organizer,
      world.eventId,
      world.events,
      3_000,
    );

    // Assess: cancelled and pending, no order touched
    expect(view.status).toBe('CANCELLED');
    expect(await statusesOf([...world.held, ...world.paid])).toEqual(STILL_LIVE);
    expect(await pendingEntriesOf(world.eventId)).toHaveLength(1);

    // CONTROL: with time to spare the same budget finishes it in the request.
    const spare = await eventWithOrders('2004-08-02T00:00:00.000Z', {
      cancelEventBudgetMs: 120_000,
    });
    await spare.harness.service.cancelEvent(spare.organizer, spare.eventId, spare.events, 60_000);
    expect(new Set(await statusesOf([...spare.held, ...spare.paid]))).toEqual(
      new Set(['CANCELLED', 'REFUNDED']),
    );
    expect(await pendingEntriesOf(spare.eventId)).toEqual([]);
  });
});

describe('a hold of a cancelled event that runs out before the cancellation reaches it', () => {
  it('expires with the event-cancelled email, not hold-expired', async () => {
    // Prepare: two events alike, one cancelled with no time to release its holds
    const cancelledWorld = await eventWithOrders('2004-07-01T00:00:00.000Z', {
      cancelEventBudgetMs: 0,
    });
    const liveWorld = await eventWithOrders('2004-07-01T00:00:00.000Z');
    await cancelledWorld.harness.service.cancelEvent(
      cancelledWorld.organizer,
      cancelledWorld.eventId,
      cancelledWorld.events,
    );
    const [heldOfCancelled] = cancelledWorld.held;
    const [heldOfLive] = liveWorld.held;
    if (!heldOfCancelled || !heldOfLive) throw new Error('no holds');

    // Act: both holds (holdSeconds 3600) run out and their expiry triggers fire
    cancelledWorld.clock.advance(3_601_000);
    liveWorld.clock.advance(3_601_000);
    expect(await cancelledWorld.harness.service.expire(heldOfCancelled)).toBe(true);
    expect(await liveWorld.harness.service.expire(heldOfLive)).toBe(true);

    // Assess: each expired once; the customer of the cancelled event hears of the cancellation
    expect(await statusesOf([heldOfCancelled, heldOfLive])).toEqual(['EXPIRED', 'EXPIRED']);
    expect(
      cancelledWorld.harness.emails.sent.map(({ orderId, kind }) => ({ orderId, kind })),
    ).toEqual([{ orderId: heldOfCancelled, kind: 'event-cancelled' }]);
    // CONTROL: a hold of an event still on sale expires with hold-expired.
    expect(liveWorld.harness.emails.sent.map(({ orderId, kind }) => ({ orderId, kind }))).toEqual([
      { orderId: heldOfLive, kind: 'hold-expired' },
    ]);
  });
});

describe('an event cancellation that finishes in its request', () => {
  it('releases everything and leaves nothing pending (through the real handler)', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const ticketTypeId: string = event.ticketTypes[0].id;
    const buyer = customerContext();
    const paid = await holdOk(buyer, event.id, [{ ticketTypeId, quantity: 2 }]);
    const payment = await invoke('POST', `/v1/orders/${paid.id}/pay`, {
      as: buyer,
      body: { paymentToken: 'tok_visa' },
    });
    expect(payment.status).toBe(200);
    const holder = customerContext();
    const held = await holdOk(holder, event.id, [{ ticketTypeId, quantity: 1 }]);
    const emails: OrderEmailMessage[] = [];
    const onEmail = (message: EmailMessage) => {
      if ('orderId' in message) emails.push(message);
    };
    localBus.on('email', onEmail);

    try {
      const response = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.status).toBe('CANCELLED');
      expect(await statusesOf([paid.id, held.id])).toEqual(['REFUNDED', 'CANCELLED']);
      expect(await readTicketType(event.id, ticketTypeId)).toMatchObject({
        available: 10,
        held: 0,
        sold: 0,
      });
      expect(await dueKeysOf(event.id)).toEqual({});
      expect(await pendingEntriesOf(event.id)).toEqual([]);
      expect(emails.map((message) => [message.orderId, message.kind]).sort()).toEqual(
        [
          [paid.id, 'event-cancelled'],
          [held.id, 'event-cancelled'],
        ].sort(),
      );

      // Cancelling again answers 200 and leaves nothing pending either.
      const again = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'CANCELLED', updatedAt: response.body.updatedAt });
      expect(await dueKeysOf(event.id)).toEqual({});
    } finally {
      localBus.off('email', onEmail);
    }
  });

  it('cancels a draft and an event without orders with nothing pending', async () => {
    const organizer = organizerContext();
    const draft = (await invoke('POST', '/v1/events', { as: organizer, body: eventBody() })).body;
    const published = await createPublishedEvent(organizer);

    for (const { id } of [draft, published]) {
      const response = await invoke('POST', `/v1/events/${id}/cancel`, { as: organizer });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(await dueKeysOf(id)).toEqual({});
    }
  });
});

describe('a repeated event cancellation', () => {
  it('keeps exactly one pending entry while the work is unfinished, then finishes it', async () => {
    // Prepare: a cancellation whose request ran out of time
    const world = await eventWithOrders('2004-03-01T00:00:00.000Z', { cancelEventBudgetMs: 0 });
    const { harness, eventId, ticketTypeId, held, paid } = world;
    const first = await harness.service.cancelEvent(world.organizer, eventId, world.events);
    const entry = await dueKeysOf(eventId);

    // Act: the organizer retries, again out of time, then once more with time to spare
    world.clock.advance(10_000);
    const second = await harness.service.cancelEvent(world.organizer, eventId, world.events);
    const entryAfterSecond = await pendingEntriesOf(eventId);
    world.clock.advance(10_000);
    const patient = orderHarness({ clock: world.clock });
    const third = await patient.service.cancelEvent(world.organizer, eventId, world.events);

    // Assess: the same answer each time; one entry, unmoved, until the work was done
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(entryAfterSecond).toHaveLength(1);
    expect(entryAfterSecond[0]).toMatchObject(entry);
    expect(await pendingEntriesOf(eventId)).toEqual([]);
    expect(await statusesOf([...held, ...paid])).toEqual(ALL_RELEASED);
    expect(await readTicketType(eventId, ticketTypeId)).toMatchObject({
      available: 20,
      held: 0,
      sold: 0,
    });
    expect(patient.emails.sent).toHaveLength(6);
    expect(harness.emails.sent).toEqual([]);

    // Neither a fourth cancel nor the sweep brings the entry back or does anything more.
    await patient.service.cancelEvent(world.organizer, eventId, world.events);
    expect(await sweepAfterGrace(world)).toEqual({ released: 0, cancellationsFinished: 0 });
    expect(await dueKeysOf(eventId)).toEqual({});
    expect(patient.emails.sent).toHaveLength(6);
    expect(patient.payments.refunds).toHaveLength(3);
  });
});

describe('an event cancelled while a payment is under way', () => {
  it('stays pending until the payment ends, then the sweep ends it', async () => {
    // Prepare: the event's orders, and one more hold whose payment is at the gateway
    const world = await eventWithOrders('2004-04-01T00:00:00.000Z');
    const { harness, eventId, ticketTypeId, held, paid } = world;
    const payer = principals.customer(uniqueToken('cust-'));
    const paying = await harness.service.hold(payer, eventId, {
      items: [{ ticketTypeId, quantity: 1 }],
    });
    const releaseGateway = harness.payments.holdCaptures();
    const payment = harness.service.pay(payer, paying.id, 'tok_visa');
    while ((await readOrderItem(paying.id))?.status !== 'PAYING') await sleep(5);

    // Act: cancel with the default budget, and sweep while the payment is still in flight
    const view = await harness.service.cancelEvent(world.organizer, eventId, world.events);
    const sweptDuringPayment = await sweepAfterGrace(world);

    // Assess: everything else released; the paying order keeps the cancellation pending
    expect(view.status).toBe('CANCELLED');
    expect(await statusesOf([...held, ...paid])).toEqual(ALL_RELEASED);
    expect(sweptDuringPayment).toEqual({ released: 0, cancellationsFinished: 0 });
    expect(await readOrderItem(paying.id)).toMatchObject({ status: 'PAYING' });
    expect(await readTicketType(eventId, ticketTypeId)).toMatchObject({ held: 1, sold: 0 });
    expect(await pendingEntriesOf(eventId)).toHaveLength(1);
    // Requeued behind the cancellations waiting longer, to be read from the top again.
    expect(await dueKeysOf(eventId)).toEqual({
      [due.partitionKey]: 'EVENT_CANCELLING',
      [due.sortKey]: `${world.clock.now().toISOString()}#${eventId}`,
    });
    expect(await cancellingCursorOf(eventId)).toBeUndefined();

    // Act: the payment ends, refunding itself on the cancelled event; the next sweep
    releaseGateway();
    expect((await payment).status).toBe('REFUNDED');
    const swept = await sweepAfterGrace(world);

    // Assess
    expect(swept).toEqual({ released: 0, cancellationsFinished: 1 });
    expect(await pendingEntriesOf(eventId)).toEqual([]);
    const stock = await readTicketType(eventId, ticketTypeId);
    expect(stock).toMatchObject({ available: 20, held: 0, sold: 0, revenueCents: 0 });
    expectStockInvariant(stock);
    expect(harness.payments.refunds.map((refund) => refund.orderId).sort()).toEqual(
      [...paid, paying.id].sort(),
    );
  });
});
