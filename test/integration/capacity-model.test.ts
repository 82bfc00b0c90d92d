/**
 * The capacity model on a real local run: a hold and a sold-out rejection through the
 * real handler, each call's consumed capacity captured by the bench's probe, the hold's
 * items sized and attributed to their partition keys as the bench does.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoProbe, documentItemSize } from '../../bench/capacity.js';
import { measureFlow } from '../../bench/flow-units.js';
import { hotKeys, itemWcu, modelCeiling, shardsFor } from '../../bench/model.js';
import { INVENTORY_SHARDS } from '../../bench/phases/capacity-model.js';
import { eventKeys, orderKeys } from '../../shared/db/table.js';
import { createPublishedEvent } from '../support/events-api.js';
import { customerContext, organizerContext } from '../support/events-fixtures.js';
import { documentClient, hold, tableName } from '../support/orders-api.js';

let probe: DynamoProbe;
beforeAll(() => {
  probe = new DynamoProbe();
  probe.attach(documentClient.middlewareStack as never, 'document');
});
afterEach(() => {
  probe.capturing = false;
  probe.reset();
});

async function captured<T>(request: () => Promise<T>) {
  probe.reset();
  probe.capturing = true;
  try {
    const result = await request();
    return { result, flow: await measureFlow(documentClient, probe.captured) };
  } finally {
    probe.capturing = false;
  }
}

async function itemBytes(key: { pk: string; sk: string }): Promise<number> {
  const { Item: item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  expect(item, `${key.pk} / ${key.sk}`).toBeDefined();
  return documentItemSize(item ?? {});
}

describe('capacity model, measured on DynamoDB Local', () => {
  it('puts a hold’s units on the event’s key, as the item sizes say, and models its ceiling', async () => {
    // Prepare: a 100,000-ticket GA type, at today's shard count
    const event = await createPublishedEvent(organizerContext(), {
      ticketTypes: [{ name: 'GA', priceCents: 5000, capacity: 100_000 }],
    });
    const customer = customerContext();

    // Act
    const { result, flow } = await captured(() =>
      hold(customer, event.id, [{ ticketTypeId: event.ticketTypes[0].id, quantity: 1 }]),
    );

    // Assess: the hot key is the event's, costing what its INVENTORY's size says (the
    // customer's counter is on the customer's own key)
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    const hot = hotKeys(flow.transactionItems);
    const eventKey = eventKeys.partition(event.id);
    const onEventKey = itemWcu(await itemBytes(eventKeys.inventory(event.id)), true);
    expect(hot.table).toEqual({ where: 'table', key: eventKey, wcu: onEventKey });
    expect(onEventKey).toBe(2);
    const counterKey = orderKeys.customerTickets(event.id, customer.userId).pk;
    expect(flow.transactionItems.find((item) => item.pk === counterKey)).toBeDefined();
    const orderBytes = await itemBytes(orderKeys.order(result.body.id));
    const order = flow.transactionItems.find((item) => item.pk === `ORDER#${result.body.id}`);
    expect(order?.bytes).toBe(orderBytes);
    expect(hot.index?.wcu).toBe(itemWcu(orderBytes, true));

    // Assess: DynamoDB Local charged the same indexes the items are copied to
    const transaction = probe.captured.find((call) => call.command === 'TransactWriteItemsCommand');
    const reportedIndexes = Object.keys(transaction?.consumed?.[0]?.GlobalSecondaryIndexes ?? {});
    expect(reportedIndexes.sort()).toEqual(
      [...new Set(flow.transactionItems.flatMap((i) => i.indexCopies.map((c) => c.index)))].sort(),
    );
    expect(transaction?.consumed?.[0]?.Table?.CapacityUnits).toBeGreaterThan(0);

    // Assess: the model's arithmetic on what was measured
    const ceiling = modelCeiling({
      shards: INVENTORY_SHARDS,
      hotKeyWcuPerHold: onEventKey,
      hotIndexKeyWcuPerHold: hot.index?.wcu ?? 0,
    });
    expect(ceiling.tableKeyHoldsPerSecond).toBe((INVENTORY_SHARDS * 1000) / onEventKey);
    const needed = shardsFor(10_000, onEventKey);
    expect(
      modelCeiling({ shards: needed, hotKeyWcuPerHold: onEventKey }).holdsPerSecond,
    ).toBeGreaterThanOrEqual(10_000);
    // Binds once the inventory is sharded (INVENTORY_SHARDS > 1): the table key's ceiling.
    if (INVENTORY_SHARDS >= needed) {
      expect(ceiling.tableKeyHoldsPerSecond).toBeGreaterThanOrEqual(10_000);
    } else {
      expect(ceiling.tableKeyHoldsPerSecond).toBeLessThan(10_000);
    }
  });

  it('refuses a hold on a sold-out type without writing on the event’s key: 0 WCU', async () => {
    // Prepare: one ticket, taken
    const event = await createPublishedEvent(organizerContext(), {
      ticketTypes: [{ name: 'GA', priceCents: 5000, capacity: 1 }],
    });
    const items = [{ ticketTypeId: event.ticketTypes[0].id, quantity: 1 }];
    expect((await hold(customerContext(), event.id, items)).status).toBe(201);

    // Act
    const { result, flow } = await captured(() => hold(customerContext(), event.id, items));

    // Assess
    expect(result.status).toBe(409);
    expect(result.body.code).toBe('SOLD_OUT');
    const eventKey = eventKeys.partition(event.id);
    expect(probe.captured.map((call) => call.command)).not.toContain('TransactWriteItemsCommand');
    expect(flow.writtenKeys.filter((key) => key.startsWith(eventKey))).toEqual([]);
    expect(flow.transactionItems).toEqual([]);
    // The only writes are the per-client limiter's, on the caller's own keys.
    for (const key of flow.writtenKeys) expect(key).toMatch(/^RATE#/);
    expect(flow.units.readUnits).toBeGreaterThan(0);
  });
});
