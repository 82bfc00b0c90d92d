import { describe, expect, it } from 'vitest';
import {
  costPer1000Tickets,
  hotKeys,
  itemWcu,
  modelCeiling,
  quotaNeeds,
  shardsFor,
  unitsByKey,
  type WrittenItem,
} from '../../bench/model.js';

/** A hold as written today: INVENTORY and the customer's counter share the event's key. */
const holdToday: WrittenItem[] = [
  { pk: 'EVENT#e1', sk: 'INVENTORY', bytes: 420, transactional: true, indexCopies: [] },
  { pk: 'EVENT#e1', sk: 'CUSTOMER#u1', bytes: 80, transactional: true, indexCopies: [] },
  {
    pk: 'ORDER#o1',
    sk: 'ORDER',
    bytes: 700,
    transactional: true,
    indexCopies: [
      { index: 'gsi1', partition: 'EVENT_ORDERS#e1' },
      { index: 'gsi2', partition: 'CUSTOMER#u1' },
      { index: 'gsi3', partition: 'HOLD_EXPIRY' },
    ],
  },
];

describe('the capacity model', () => {
  it('charges 2 units per started KB inside a transaction and 1 outside', () => {
    expect(itemWcu(0, true)).toBe(2);
    expect(itemWcu(1024, true)).toBe(2);
    expect(itemWcu(1025, true)).toBe(4);
    expect(itemWcu(1025, false)).toBe(2);
  });

  it('adds up the units of each partition key, the hottest first', () => {
    // Act
    const keys = unitsByKey(holdToday);

    // Assess
    expect(keys[0]).toEqual({ where: 'table', key: 'EVENT#e1', wcu: 4 });
    expect(keys).toContainEqual({ where: 'gsi3', key: 'HOLD_EXPIRY', wcu: 2 });
    expect(keys).toContainEqual({ where: 'table', key: 'ORDER#o1', wcu: 2 });
    expect(hotKeys(holdToday)).toEqual({
      table: { where: 'table', key: 'EVENT#e1', wcu: 4 },
      index: { where: 'gsi1', key: 'EVENT_ORDERS#e1', wcu: 2 },
      totalWcu: 12,
    });
  });

  it('takes S × 500 holds/s on a hot key that costs 2 units per hold', () => {
    for (const shards of [1, 2, 20, 64]) {
      expect(modelCeiling({ shards, hotKeyWcuPerHold: 2 }).tableKeyHoldsPerSecond).toBe(
        shards * 500,
      );
    }
  });

  it('says today’s unsharded event takes 250 holds/s, and which S reaches 10,000/s', () => {
    // Prepare
    const hot = hotKeys(holdToday);

    // Act
    const today = modelCeiling({
      shards: 1,
      hotKeyWcuPerHold: hot.table?.wcu ?? 0,
      hotIndexKeyWcuPerHold: hot.index?.wcu ?? 0,
    });

    // Assess
    expect(today).toEqual({
      tableKeyHoldsPerSecond: 250,
      indexKeyHoldsPerSecond: 500,
      holdsPerSecond: 250,
      boundBy: 'table key',
    });
    expect(shardsFor(10_000, 4)).toBe(40);
    // With the customer's counter on its own key the hot key costs 2: half the shards.
    expect(shardsFor(10_000, 2)).toBe(20);
    expect(modelCeiling({ shards: 20, hotKeyWcuPerHold: 2 }).holdsPerSecond).toBeGreaterThanOrEqual(
      10_000,
    );
  });

  it('lets an unsharded index key bind once the table key is sharded', () => {
    const sharded = modelCeiling({ shards: 40, hotKeyWcuPerHold: 4, hotIndexKeyWcuPerHold: 2 });
    expect(sharded.tableKeyHoldsPerSecond).toBe(10_000);
    expect(sharded).toMatchObject({ holdsPerSecond: 500, boundBy: 'index key' });
  });

  it('says which default quota a rate needs raised, and to what', () => {
    // Act
    const [table, lambda] = quotaNeeds({
      holdsPerSecond: 10_000,
      wcuPerHold: 12,
      secondsPerHold: 0.2,
    });
    const [tableToday, lambdaToday] = quotaNeeds({
      holdsPerSecond: 250,
      wcuPerHold: 12,
      secondsPerHold: 0.2,
    });

    // Assess
    expect(table).toMatchObject({ defaultLimit: 40_000, needed: 120_000, raise: true });
    expect(lambda).toMatchObject({ defaultLimit: 1_000, needed: 2_000, raise: true });
    expect(tableToday).toMatchObject({ needed: 3_000, raise: false });
    expect(lambdaToday).toMatchObject({ needed: 50, raise: false });
  });

  it('prices 1,000 tickets sold: holds (some lapse), payments, expiries and emails', () => {
    // Act
    const cost = costPer1000Tickets({
      hold: { writeUnits: 10, readUnits: 4 },
      payment: { writeUnits: 16, readUnits: 6 },
      expiry: { writeUnits: 16, readUnits: 1 },
      email: { writeUnits: 3, readUnits: 1 },
      expiredShare: 0.2,
    });

    // Assess: 1,250 holds, 1,000 payments, 250 expiries, 1,250 emails
    expect(cost.flows.map((flow) => flow.count)).toEqual([1_250, 1_000, 250, 1_250]);
    expect(cost.writeUnits).toBe(12_500 + 16_000 + 4_000 + 3_750);
    expect(cost.readUnits).toBe(5_000 + 6_000 + 250 + 1_250);
    expect(cost.dollars).toBeCloseTo((36_250 * 0.625 + 12_500 * 0.125) / 1e6, 10);
  });
});
