import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { queryDueShards } from '../../shared/db/due-shards.js';
import { toOrderItem } from '../../shared/db/entities/order.js';
import { outboxWrites } from '../../shared/db/entities/outbox.js';
import { DUE_SHARDS, dueShardOf, emailKeys, orderKeys, table } from '../../shared/db/table.js';
import { projectionOf } from '../../shared/db/table-inputs.js';
import type { Order } from '../../shared/domain/order-model.js';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = 'unit-test-table';
const { due, dueSharded } = table.globalSecondaryIndexes;

beforeEach(() => {
  ddb.reset();
});

const order = (id: string, status: Order['status'] = 'HELD'): Order => ({
  id,
  eventId: 'ev-1',
  eventName: 'Concert',
  organizerId: 'org-1',
  customer: { userId: 'cust-1', email: 'c@example.com', name: 'C' },
  items: [{ ticketTypeId: 'ga', quantity: 2, unitPriceCents: 5000 }],
  amountCents: 10_000,
  currency: 'USD',
  status,
  expiresAt: '2020-01-01T00:10:00.000Z',
  createdAt: '2020-01-01T00:00:00.000Z',
  updatedAt: '2020-01-01T00:00:00.000Z',
});

describe('due-index shards', () => {
  it('spread many order ids over every shard, none far from its share', () => {
    // Prepare
    const ids = Array.from({ length: 4_000 }, () => randomUUID());
    // Act
    const counts = new Map<string, number>();
    for (const id of ids) {
      const shard = orderKeys.expiringShards.of(id);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    // Assess: 250 expected per shard, σ ≈ 15; ±40 % is far outside chance.
    expect([...counts.keys()].sort()).toEqual([...orderKeys.expiringShards.all]);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(150);
      expect(count).toBeLessThan(350);
    }
  });

  it('are stable: the same id always names the same shard, as pinned', () => {
    expect(orderKeys.expiringShards.all).toHaveLength(DUE_SHARDS);
    expect(new Set(orderKeys.expiringShards.all).size).toBe(DUE_SHARDS);
    expect(orderKeys.expiringShards.of('ord-1')).toBe('HOLD_EXPIRY#01');
    expect(orderKeys.expiringShards.of('ord-2')).toBe('HOLD_EXPIRY#03');
    expect(emailKeys.outboxShards.of('0b9f6a2e-3c1d-4e5f-8a7b-9c0d1e2f3a4b')).toBe('OUTBOX#12');
    const id = randomUUID();
    expect(dueShardOf(id)).toBe(dueShardOf(id));
  });

  it('hold orders and their outbox messages in the sharded index only, with what its readers need', () => {
    const held = toOrderItem(order('ord-1'));
    expect(held).toMatchObject({
      [dueSharded.partitionKey]: 'HOLD_EXPIRY#01',
      [dueSharded.sortKey]: '2020-01-01T00:10:00.000Z#ord-1',
    });
    expect(held).not.toHaveProperty(due.partitionKey);
    expect(toOrderItem(order('ord-1', 'CONFIRMED'))).not.toHaveProperty(dueSharded.partitionKey);

    const message = outboxWrites.insert(order('ord-2'), 'hold-expired', '2020-01-01T00:01:00.000Z');
    expect(message.Item).toMatchObject({ [dueSharded.partitionKey]: 'OUTBOX#03' });
    expect(message.Item).not.toHaveProperty(due.partitionKey);
    // What the readers take from an entry is projected; nothing else is.
    const { NonKeyAttributes } = projectionOf(dueSharded);
    expect(held.eventId).toBeDefined();
    expect(message.Item).toMatchObject({ orderId: 'ord-2', kind: 'hold-expired' });
    expect(NonKeyAttributes).toEqual(['eventId', 'orderId', 'kind']);
  });
});

describe('queryDueShards', () => {
  it('reads every shard of the sharded index, a few at a time, and merges them oldest first', async () => {
    // Prepare: each shard answers after a tick with one entry due at its own minute, newest
    // shard first, so only a merge can put them in order.
    let inFlight = 0;
    let mostInFlight = 0;
    ddb
      .on(QueryCommand)
      .callsFake(async (input: { ExpressionAttributeValues: { ':pk': string } }) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        const shard = Number(input.ExpressionAttributeValues[':pk'].split('#')[1]);
        const minute = String(DUE_SHARDS - shard).padStart(2, '0');
        return { Items: [{ [dueSharded.sortKey]: `2020-01-01T00:${minute}:00.000Z#o${shard}` }] };
      });

    // Act
    const entries = await queryDueShards(client, TABLE, orderKeys.expiringShards.all, {
      before: '2020-01-01T01:00:00.000Z',
      limit: 10,
    });

    // Assess
    const queries = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((query) => query.ExpressionAttributeValues?.[':pk']).sort()).toEqual([
      ...orderKeys.expiringShards.all,
    ]);
    expect(new Set(queries.map((query) => query.IndexName))).toEqual(new Set(['gsi5']));
    expect(queries.every((query) => query.Limit === 10)).toBe(true);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(4);
    const dues = entries.map((entry) => String(entry[dueSharded.sortKey]));
    expect(dues).toHaveLength(DUE_SHARDS);
    expect(dues).toEqual([...dues].sort());
  });
});
