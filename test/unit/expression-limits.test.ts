import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ulid } from 'ulid';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import {
  countOperators,
  EXPRESSION_LIMITS,
  ExpressionTooLarge,
  ItemExpression,
} from '../../shared/db/expression.js';
import { TRANSACTION_ITEM_LIMIT } from '../../shared/db/transactions.js';
import { LIMITS, type TicketTypeState } from '../../shared/domain/event-model.js';
import { eventState } from '../support/events-fixtures.js';
import { readable } from '../support/expressions.js';
import { domainOrder } from '../support/orders-fixtures.js';

/*
 * Every expression the order and event writes build, at the largest order and event the
 * request schemas accept, measured against DynamoDB's documented limits (4 KB and 300
 * operators per expression, 100 items per transaction). DynamoDB Local enforces them
 * too; the integration test `orders-maxima` runs the same transitions there.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = 'unit-test-table';
const orders = new DynamoOrderRepository(client, TABLE);
const events = new DynamoEventRepository(client, TABLE);
const NOW = '2030-01-01T00:05:00.000Z';

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
});

/** The largest event: every ticket type it may have, each with a ULID as the API makes. */
const ticketTypes: TicketTypeState[] = Array.from(
  { length: LIMITS.ticketTypesPerEvent },
  (_, position) => ({
    id: ulid(),
    name: `Ticket type number ${position} with a long name`.padEnd(100, '.'),
    priceCents: LIMITS.priceCents - position,
    capacity: LIMITS.capacityPerTicketType,
    available: LIMITS.capacityPerTicketType - 10,
    held: 5,
    sold: 5,
    revenueCents: 5 * (LIMITS.priceCents - position),
    position,
  }),
);
const largestEvent = eventState({
  id: ulid(),
  status: 'PUBLISHED',
  maxTicketsPerOrder: LIMITS.maxTicketsPerOrder.max,
  ticketTypes,
});

/** The largest order: one item of every ticket type, up to the per-order ticket limit. */
const largestOrder = domainOrder({
  id: ulid(),
  eventId: largestEvent.id,
  items: ticketTypes.map(({ id, priceCents }, index) => ({
    ticketTypeId: id,
    quantity: index < LIMITS.maxTicketsPerOrder.max % ticketTypes.length ? 3 : 2,
    unitPriceCents: priceCents,
  })),
});

interface Sent {
  UpdateExpression?: string;
  ConditionExpression?: string;
}

/** Every expression of every write sent so far, with what sent it. */
function sentExpressions(): { where: string; expression: string }[] {
  const found: { where: string; expression: string }[] = [];
  const collect = (where: string, input: Sent | undefined) => {
    for (const key of ['UpdateExpression', 'ConditionExpression'] as const) {
      const expression = input?.[key];
      if (expression) found.push({ where: `${where} ${key}`, expression });
    }
  };
  for (const call of ddb.commandCalls(TransactWriteCommand)) {
    const items = call.args[0].input.TransactItems ?? [];
    expect(items.length).toBeLessThanOrEqual(100);
    items.forEach((item, index) => {
      collect(`transaction item ${index}`, item.Update ?? item.Put ?? item.Delete);
    });
  }
  for (const call of ddb.commandCalls(UpdateCommand)) collect('update', call.args[0].input);
  return found;
}

function expectWithinLimits(): void {
  const expressions = sentExpressions();
  expect(expressions.length).toBeGreaterThan(0);
  for (const { where, expression } of expressions) {
    expect(Buffer.byteLength(expression), where).toBeLessThanOrEqual(EXPRESSION_LIMITS.bytes);
    expect(countOperators(expression), where).toBeLessThanOrEqual(EXPRESSION_LIMITS.operators);
  }
}

describe('every write at the schema maxima stays within DynamoDB expression limits', () => {
  it('the largest order has every ticket type and the most tickets an order may have', () => {
    expect(largestOrder.items).toHaveLength(LIMITS.ticketTypesPerEvent);
    expect(largestOrder.items.reduce((sum, item) => sum + item.quantity, 0)).toBe(
      LIMITS.maxTicketsPerOrder.max,
    );
  });

  const transitions = {
    hold: () => orders.hold(largestOrder, { perCustomer: LIMITS.maxTicketsPerOrder.max, now: NOW }),
    startPayment: () => orders.startPayment(largestOrder, 'tok_visa', NOW),
    abandonPayment: () => orders.abandonPayment({ ...largestOrder, status: 'PAYING' }, NOW),
    confirm: () =>
      orders.confirm({ ...largestOrder, status: 'PAYING' }, { paymentId: 'pay', paidAt: NOW }),
    expire: () => orders.expire(largestOrder, NOW, 'hold-expired'),
    cancelHeld: () => orders.cancelHeld(largestOrder, NOW, 'order-cancelled'),
    startRefund: () =>
      orders.startRefund(
        { ...largestOrder, status: 'CONFIRMED' },
        { now: NOW, email: 'order-refunded', recoverAt: NOW },
      ),
    refund: () =>
      orders.refund({ ...largestOrder, status: 'REFUNDING', refundEmail: 'event-cancelled' }, NOW),
    'PATCH of every ticket type (name, price, capacity cut)': () =>
      events.update(largestEvent, {
        ...largestEvent,
        version: largestEvent.version + 1,
        ticketTypes: ticketTypes.map((ticketType) => ({
          ...ticketType,
          name: `${ticketType.name.slice(0, 99)}!`,
          priceCents: ticketType.priceCents - 1,
          capacity: ticketType.capacity - 1,
        })),
      }),
    'event cancel': () =>
      events.update(largestEvent, { ...largestEvent, status: 'CANCELLED', version: 2 }),
    'end of an event cancellation': () =>
      events.endCancellation({ ...largestEvent, status: 'CANCELLED' }),
  };

  for (const [name, run] of Object.entries(transitions)) {
    it(name, async () => {
      await run();
      expectWithinLimits();
    });
  }

  it('the stock update of the largest hold moves every ticket type', async () => {
    await transitions.hold();
    const inventory =
      ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    const update = readable(inventory?.UpdateExpression, inventory ?? {});
    for (const item of largestOrder.items) {
      expect(update).toContain(`ticketTypes.${item.ticketTypeId}.held ${item.quantity}`);
    }
  });
});

describe('a seated order at its maximum fits every transaction', () => {
  // The most seats an order may have, in the most sections the order can span.
  const seatIds = Array.from(
    { length: LIMITS.seatsPerOrder },
    (_, index) => `Section_${index % 30}-R${Math.floor(index / 30)}-${200 - index}`,
  );
  const seatedOrder = domainOrder({
    id: ulid(),
    eventId: largestEvent.id,
    items: [
      {
        ticketTypeId: largestEvent.ticketTypes[0]?.id ?? '',
        quantity: seatIds.length,
        unitPriceCents: LIMITS.priceCents,
        seatIds,
      },
    ],
  });
  const perCustomer = LIMITS.seatsPerOrder;

  /** How many items the one transaction sent had, and how many of them were seat writes. */
  function sentTransaction(): { items: number; seats: number } {
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const items = calls[0]?.args[0].input.TransactItems ?? [];
    const seats = items.filter((item) => {
      const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key;
      return String(key?.pk).includes('#SEATS#');
    });
    return { items: items.length, seats: seats.length };
  }

  it.each([
    ['hold', 3, () => orders.hold(seatedOrder, { perCustomer, now: NOW })],
    [
      'confirm',
      4,
      () => orders.confirm({ ...seatedOrder, status: 'PAYING' }, { paymentId: 'p', paidAt: NOW }),
    ],
    ['expire', 5, () => orders.expire(seatedOrder, NOW, 'hold-expired')],
    ['cancelHeld', 5, () => orders.cancelHeld(seatedOrder, NOW, 'order-cancelled')],
    [
      'refund',
      5,
      () =>
        orders.refund({ ...seatedOrder, status: 'REFUNDING', refundEmail: 'order-refunded' }, NOW),
    ],
  ] as const)('%s: %i items beside one write per seat, within 100', async (_, own, run) => {
    await run();

    expect(sentTransaction()).toEqual({
      items: own + LIMITS.seatsPerOrder,
      seats: LIMITS.seatsPerOrder,
    });
    expect(own + LIMITS.seatsPerOrder).toBeLessThanOrEqual(TRANSACTION_ITEM_LIMIT);
    expectWithinLimits();
  });
});

describe('ItemExpression', () => {
  it('shares one placeholder per attribute name and per equal value', () => {
    const expression = new ItemExpression()
      .set('status', 'PAID')
      .add(['ticketTypes', 'a', 'held'], 2)
      .add(['ticketTypes', 'b', 'held'], 2)
      .compare('status', '=', 'HELD')
      .toUpdate();

    expect(expression.ExpressionAttributeNames).toEqual({
      '#0': 'status',
      '#1': 'ticketTypes',
      '#2': 'a',
      '#3': 'held',
      '#4': 'b',
    });
    expect(expression.ExpressionAttributeValues).toEqual({ ':0': 'PAID', ':1': 2, ':2': 'HELD' });
    expect(expression.UpdateExpression).toBe('SET #0=:0 ADD #1.#2.#3 :1,#1.#4.#3 :1');
    expect(expression.ConditionExpression).toBe('#0 = :2');
  });

  it('keeps a number and a string of the same text apart', () => {
    const expression = new ItemExpression().set('a', 1).set('b', '1').toUpdate();
    expect(expression.ExpressionAttributeValues).toEqual({ ':0': 1, ':1': '1' });
  });

  it('writes nothing for a zero delta', () => {
    expect(new ItemExpression().set('a', 1).add('b', 0).toUpdate().UpdateExpression).toBe(
      'SET #0=:0',
    );
  });

  it('refuses an update that changes nothing, or a condition with no terms', () => {
    expect(() => new ItemExpression().toUpdate()).toThrow('changes nothing');
    expect(() => new ItemExpression().set('a', 1).toCondition()).toThrow('no terms');
  });

  it('gives its conditions as a Query filter, and no filter when it has none', () => {
    const conditions = new ItemExpression().compare('status', '=', 'HELD');
    conditions.when(`contains(${conditions.path('name')}, ${conditions.value('jazz')})`);

    expect(conditions.toFilter()).toEqual({
      expression: '#0 = :0 AND contains(#1, :1)',
      names: { '#0': 'status', '#1': 'name' },
      values: { ':0': 'HELD', ':1': 'jazz' },
    });
    expect(new ItemExpression().toFilter()).toBeUndefined();
  });

  it('refuses an expression over 4 KB before anything is sent', () => {
    const expression = new ItemExpression();
    for (let index = 0; index < 400; index++) expression.set(`attribute${index}`, index);
    expect(() => expression.toUpdate()).toThrow(ExpressionTooLarge);
  });

  it('refuses a condition of more than 300 operators (control: 300 pass)', () => {
    const conditionOf = (comparisons: number) => {
      const expression = new ItemExpression().set('x', 1);
      for (let index = 0; index < comparisons; index++) expression.compare('x', '<>', index);
      return () => expression.toUpdate();
    };
    // n comparisons joined by n − 1 ANDs.
    expect(conditionOf(150)).not.toThrow();
    expect(conditionOf(151)).toThrow(ExpressionTooLarge);
  });

  it('counts comparators, logical operators, arithmetic and functions', () => {
    expect(countOperators('#a = :a AND (#b <> :b OR NOT #c >= :c)')).toBe(6);
    expect(countOperators('attribute_not_exists(#a) OR #a <= :room')).toBe(3);
    expect(countOperators('SET #a=if_not_exists(#a,:z)+:d ADD #b :d')).toBe(3);
  });
});
