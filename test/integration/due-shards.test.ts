import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as sweep } from '../../functions/sweep.js';
import { DynamoOutboxRelay } from '../../shared/adapters/dynamo-outbox-relay.js';
import { documentClient, tableName } from '../../shared/composition/dynamodb.js';
import { itemsOfEntries } from '../../shared/db/due-shards.js';
import { orderFromItem } from '../../shared/db/entities/order.js';
import { outboxWrites } from '../../shared/db/entities/outbox.js';
import { queryDueRange } from '../../shared/db/paging.js';
import { emailKeys, orderKeys, table } from '../../shared/db/table.js';
import type { Order } from '../../shared/domain/order-model.js';
import { createPublishedEvent, readTicketType } from '../support/events-api.js';
import { customerContext, organizerContext, uniqueToken } from '../support/events-fixtures.js';
import {
  delegatingRepository,
  expectStockInvariant,
  orderHarness,
  principalOf,
  RecordingEmailQueue,
  readOrderItem,
  setExpiresAt,
} from '../support/orders-api.js';

/*
 * Hot due work (hold expiries, outbox messages) is spread over `DUE_SHARDS` partitions of
 * the sharded due index by a hash of the order id; every reader must read them all.
 * Overdue here means a minute ago, as the deployed sweep sees it.
 */

const HOLDS = 24;
const { due, dueSharded } = table.globalSecondaryIndexes;
const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString();

async function manyHolds() {
  const event = await createPublishedEvent(organizerContext(), {
    ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: HOLDS }],
  });
  const ticketTypeId: string = event.ticketTypes[0].id;
  const harness = orderHarness();
  const orders: { id: string }[] = [];
  for (let n = 0; n < HOLDS; n++) {
    const customer = principalOf(customerContext());
    orders.push(
      await harness.service.hold(customer, event.id, { items: [{ ticketTypeId, quantity: 1 }] }),
    );
  }
  return { event, ticketTypeId, orders };
}

const statusesOf = (orders: { id: string }[]) =>
  Promise.all(orders.map(async (order) => (await readOrderItem(order.id))?.status));

describe('the sharded due index', () => {
  it('puts the holds of many orders in several shards, each by its id, none in the old index', async () => {
    const { orders } = await manyHolds();

    const items = await Promise.all(orders.map((order) => readOrderItem(order.id)));
    const shards = new Set(items.map((item) => item?.[dueSharded.partitionKey]));
    // 24 ids over 16 shards fill ~13 on average; fewer than 6 would take a broken hash.
    expect(shards.size).toBeGreaterThanOrEqual(6);
    for (const [index, item] of items.entries()) {
      const id = orders[index]?.id ?? '';
      expect(item?.[dueSharded.partitionKey]).toBe(orderKeys.expiringShards.of(id));
      expect(item).not.toHaveProperty(due.partitionKey);
    }
  });

  it('CONTROL: a sweep that reads one shard leaves the overdue holds of the others', async () => {
    const { orders } = await manyHolds();
    for (const order of orders) await setExpiresAt(order.id, aMinuteAgo());
    const [first] = orders;
    if (!first) throw new Error('no hold');
    const oneShard = orderKeys.expiringShards.of(first.id);
    const harness = orderHarness({
      wrap: (inner) =>
        delegatingRepository(inner, {
          dueForExpiry: async (now, limit) => {
            const entries = await queryDueRange(documentClient, tableName, {
              index: 'dueSharded',
              partition: oneShard,
              before: now,
              limit,
            });
            return (await itemsOfEntries(documentClient, tableName, entries)).map(orderFromItem);
          },
        }),
    });

    await harness.service.sweep();

    const inShard = orders.filter((order) => orderKeys.expiringShards.of(order.id) === oneShard);
    const statuses = await statusesOf(orders);
    expect(statuses.filter((status) => status === 'EXPIRED')).toHaveLength(inShard.length);
    expect(statuses.filter((status) => status === 'HELD').length).toBeGreaterThan(0);

    // The real sweep reads every shard and finishes the rest.
    await sweep({});
    expect(await statusesOf(orders)).toEqual(orders.map(() => 'EXPIRED'));
  });

  it('the sweep job expires the overdue holds of every shard and gives their stock back', async () => {
    const { event, ticketTypeId, orders } = await manyHolds();
    for (const order of orders) await setExpiresAt(order.id, aMinuteAgo());
    const shards = new Set(orders.map((order) => orderKeys.expiringShards.of(order.id)));
    expect(shards.size).toBeGreaterThanOrEqual(6);

    await sweep({});

    expect(await statusesOf(orders)).toEqual(orders.map(() => 'EXPIRED'));
    const stock = await readTicketType(event.id, ticketTypeId);
    expect(stock).toMatchObject({ available: HOLDS, held: 0 });
    expectStockInvariant(stock);
    for (const order of orders) {
      expect(await readOrderItem(order.id)).not.toHaveProperty(dueSharded.partitionKey);
    }
  });

  it('relays the outbox messages of every shard that missed their hand-over', async () => {
    // Prepare: committed messages whose immediate hand-over never happened, two minutes old
    const createdAt = new Date(Date.now() - 120_000).toISOString();
    const orderIds = Array.from({ length: HOLDS }, () => uniqueToken('ord'));
    for (const id of orderIds) {
      const { Item } = outboxWrites.insert({ id } as Order, 'hold-expired', createdAt);
      await documentClient.send(new PutCommand({ TableName: tableName, Item }));
    }
    expect(new Set(orderIds.map((id) => emailKeys.outboxShards.of(id))).size).toBeGreaterThan(5);
    const queue = new RecordingEmailQueue();
    const relay = new DynamoOutboxRelay(documentClient, tableName, queue, (message, error) => {
      throw new Error(message, { cause: error });
    });

    // Act
    await relay.relayPending(aMinuteAgo(), 100);

    // Assess: each sent once, and gone from the outbox
    const mine = queue.sent.filter((message) => orderIds.includes(message.orderId));
    expect(mine.map((message) => message.orderId).sort()).toEqual([...orderIds].sort());
    expect(mine.every((message) => message.kind === 'hold-expired')).toBe(true);
    for (const id of orderIds) {
      const left = await queryDueRange(documentClient, tableName, {
        index: 'dueSharded',
        partition: emailKeys.outboxShards.of(id),
        before: aMinuteAgo(),
        limit: 100,
      });
      expect(left.map((entry) => entry.orderId)).not.toContain(id);
    }
  });
});
