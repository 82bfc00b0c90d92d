import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import { readableUpdate } from '../support/expressions.js';
import { domainOrder } from '../support/orders-fixtures.js';

/*
 * The counters that stats and analytics read are moved by the order transitions
 * themselves, in the same transaction: each transition's INVENTORY update and its
 * analytics day item, exactly. The hold writes neither.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'unit-test-table';
const repository = new DynamoOrderRepository(
  DynamoDBDocumentClient.from(new DynamoDBClient({})),
  TABLE,
);

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteCommand).resolves({});
});

/**
 * Created just before midnight UTC, resolved the next day: it still counts on its first.
 * In EUR, not the usual USD, so the day item is seen to take its currency from the order.
 */
const order = domainOrder({
  currency: 'EUR',
  expiresAt: '2027-03-02T00:09:00.000Z',
  createdAt: '2027-03-01T23:59:00.000Z',
  updatedAt: '2027-03-01T23:59:00.000Z',
});
const LATER = '2027-03-02T00:10:00.000Z';

function writtenItems() {
  expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  return ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
}

const transitions = [
  {
    name: 'confirm',
    run: () =>
      repository.confirm({ ...order, status: 'PAYING' }, { paymentId: 'pay-1', paidAt: LATER }),
    inventory: { confirmedOrders: 1 },
    day: { confirmed: 1, ticketsSold: 3, revenueCents: 7000 },
  },
  {
    name: 'expire',
    run: () => repository.expire(order, LATER, 'hold-expired'),
    inventory: { expiredOrders: 1 },
    day: { expired: 1 },
  },
  {
    name: 'cancelHeld',
    run: () => repository.cancelHeld(order, LATER, 'order-cancelled'),
    inventory: { cancelledOrders: 1 },
    day: { cancelled: 1 },
  },
  {
    name: 'refund',
    run: () =>
      repository.refund({ ...order, status: 'REFUNDING', refundEmail: 'order-refunded' }, LATER),
    inventory: { confirmedOrders: -1, refundedOrders: 1 },
    day: { confirmed: -1, refunded: 1, ticketsSold: -3, revenueCents: -7000 },
  },
] as const;

describe('order transitions move the stats and analytics counters', () => {
  for (const transition of transitions) {
    it(`${transition.name}: counts the order on the event and on its creation day, in one transaction`, async () => {
      expect(await transition.run()).toBeTruthy();

      const items = writtenItems();
      const inventory = items[1]?.Update;
      expect(inventory?.Key).toEqual({ pk: 'EVENT#ev-1', sk: 'INVENTORY' });
      const inventoryExpression = readableUpdate(inventory).update;
      for (const [attribute, delta] of Object.entries(transition.inventory)) {
        // ADD: INVENTORY items written before these counters existed start them at 0.
        expect(inventoryExpression).toMatch(new RegExp(`(ADD |,)${attribute} ${delta}(,|$)`));
      }

      const day = items.at(-1)?.Update;
      expect(day?.Key).toEqual({ pk: 'ANALYTICS#2027-03-01', sk: 'EVENT#ev-1' });
      expect(day?.ConditionExpression).toBeUndefined();
      const adds = Object.entries(transition.day)
        .map(([counter, delta]) => `${counter} ${delta}`)
        .join(',');
      expect(readableUpdate(day).update).toBe(
        `SET entity="EventDayAnalytics",eventId="ev-1",currency="EUR" ADD ${adds}`,
      );
    });
  }

  it('the hold writes no analytics item and no resolution counter', async () => {
    await repository.hold(order, { perCustomer: 10, now: '2027-03-01T23:59:00.000Z' });

    const items = writtenItems();
    expect(items).toHaveLength(3);
    expect(items.map((item) => JSON.stringify(item))).not.toContainEqual(
      expect.stringMatching(/ANALYTICS#|Orders/),
    );
  });
});
