/**
 * The capacity model of one hot on-sale on AWS, from what the bench measured: the write
 * units a hold puts on each partition key (the table's and each index's), the ceiling
 * those keys set, what that rate asks of the table's and Lambda's default quotas, and
 * the on-demand bill per 1,000 tickets sold. Pure arithmetic, so it is unit-tested.
 */

/** DynamoDB's documented throughput of one partition; a single key never gets more. */
export const PARTITION_WCU_PER_SECOND = 1_000;
/** On-demand table default: write request units per second, per table. */
export const TABLE_WRITE_QUOTA = 40_000;
/** Lambda's default concurrent executions per account and region. */
export const LAMBDA_CONCURRENCY_QUOTA = 1_000;
/** The rate a hot on-sale of one event must take (issue 14). */
export const TARGET_HOLDS_PER_SECOND = 10_000;

/**
 * Assumed on-demand prices, us-east-1 (Standard table class), as of writing; check the
 * price list before quoting. A transactional write costs 2 write request units per KB.
 */
export const ON_DEMAND_PRICES = {
  region: 'us-east-1',
  writePerMillion: 0.625,
  readPerMillion: 0.125,
} as const;

/** One item a write wrote: its keys, its size, and the index partitions it is copied to. */
export interface WrittenItem {
  pk: string;
  sk: string;
  bytes: number;
  /** Written inside TransactWriteItems: 2 units per started KB instead of 1. */
  transactional: boolean;
  /** One entry per global secondary index the item is in: its partition key value there. */
  indexCopies: { index: string; partition: string }[];
}

/** Write units of one item of this size; index copies are charged at their item's rate. */
export const itemWcu = (bytes: number, transactional: boolean): number =>
  (transactional ? 2 : 1) * Math.max(1, Math.ceil(bytes / 1024));

/** Write units a hold puts on one partition key of the table or of one index. */
export interface KeyUnits {
  /** `table`, or the index name. */
  where: string;
  key: string;
  wcu: number;
}

/** Write units per partition key, the hottest first (table before index on a tie). */
export function unitsByKey(items: readonly WrittenItem[]): KeyUnits[] {
  const byKey = new Map<string, KeyUnits>();
  const add = (where: string, key: string, wcu: number) => {
    const id = `${where}\u0000${key}`;
    const entry = byKey.get(id) ?? { where, key, wcu: 0 };
    entry.wcu += wcu;
    byKey.set(id, entry);
  };
  for (const item of items) {
    const wcu = itemWcu(item.bytes, item.transactional);
    add('table', item.pk, wcu);
    for (const copy of item.indexCopies) add(copy.index, copy.partition, wcu);
  }
  return [...byKey.values()].sort(
    (a, b) => b.wcu - a.wcu || Number(b.where === 'table') - Number(a.where === 'table'),
  );
}

export interface HotKeys {
  table: KeyUnits | null;
  index: KeyUnits | null;
  /** Every write unit of the hold: table items and index copies. */
  totalWcu: number;
}

export function hotKeys(items: readonly WrittenItem[]): HotKeys {
  const keys = unitsByKey(items);
  return {
    table: keys.find((key) => key.where === 'table') ?? null,
    index: keys.find((key) => key.where !== 'table') ?? null,
    totalWcu: keys.reduce((sum, key) => sum + key.wcu, 0),
  };
}

export interface CeilingInput {
  /** Inventory shards of the hot key: 1 today (unsharded). */
  shards: number;
  hotKeyWcuPerHold: number;
  /** Index keys are not sharded with the inventory; absent when a hold writes no index. */
  hotIndexKeyWcuPerHold?: number;
}

export interface CeilingModel {
  /** S × 1,000 ÷ hot-key WCU per hold. */
  tableKeyHoldsPerSecond: number;
  indexKeyHoldsPerSecond: number;
  holdsPerSecond: number;
  boundBy: 'table key' | 'index key';
}

export function modelCeiling(input: CeilingInput): CeilingModel {
  const tableKeyHoldsPerSecond =
    (input.shards * PARTITION_WCU_PER_SECOND) / Math.max(input.hotKeyWcuPerHold, Number.EPSILON);
  const indexKeyHoldsPerSecond =
    input.hotIndexKeyWcuPerHold === undefined
      ? Number.POSITIVE_INFINITY
      : PARTITION_WCU_PER_SECOND / input.hotIndexKeyWcuPerHold;
  const tableBinds = tableKeyHoldsPerSecond <= indexKeyHoldsPerSecond;
  return {
    tableKeyHoldsPerSecond,
    indexKeyHoldsPerSecond,
    holdsPerSecond: Math.min(tableKeyHoldsPerSecond, indexKeyHoldsPerSecond),
    boundBy: tableBinds ? 'table key' : 'index key',
  };
}

/** The fewest inventory shards whose hot key takes `holdsPerSecond`. */
export const shardsFor = (holdsPerSecond: number, hotKeyWcuPerHold: number): number =>
  Math.ceil((holdsPerSecond * hotKeyWcuPerHold) / PARTITION_WCU_PER_SECOND);

export interface QuotaNeed {
  quota: string;
  defaultLimit: number;
  needed: number;
  raise: boolean;
}

/**
 * What `holdsPerSecond` asks of the account: table-wide write units (every item and
 * index copy of a hold) and Lambda concurrency (Little's law: rate × time in flight).
 */
export function quotaNeeds(input: {
  holdsPerSecond: number;
  wcuPerHold: number;
  secondsPerHold: number;
}): QuotaNeed[] {
  const need = (quota: string, defaultLimit: number, needed: number): QuotaNeed => ({
    quota,
    defaultLimit,
    needed: Math.ceil(needed),
    raise: needed > defaultLimit,
  });
  return [
    need(
      'DynamoDB on-demand table write request units/s',
      TABLE_WRITE_QUOTA,
      input.holdsPerSecond * input.wcuPerHold,
    ),
    need(
      'Lambda concurrent executions',
      LAMBDA_CONCURRENCY_QUOTA,
      input.holdsPerSecond * input.secondsPerHold,
    ),
  ];
}

/** Request units of one flow, as billed on demand. */
export interface FlowUnits {
  writeUnits: number;
  readUnits: number;
}

export interface CostInput {
  hold: FlowUnits;
  payment: FlowUnits;
  expiry: FlowUnits;
  email: FlowUnits;
  /** Share of holds that lapse unpaid: each of those is a hold, an expiry and an email. */
  expiredShare: number;
}

export interface CostModel {
  /** Per 1,000 tickets sold, one ticket per order. */
  flows: { flow: string; count: number; writeUnits: number; readUnits: number }[];
  writeUnits: number;
  readUnits: number;
  dollars: number;
}

export function costPer1000Tickets(input: CostInput): CostModel {
  const sold = 1_000;
  const holds = sold / (1 - input.expiredShare);
  const expiries = holds - sold;
  const flows = [
    { flow: 'holds', count: holds, units: input.hold },
    { flow: 'payments', count: sold, units: input.payment },
    { flow: 'expiries', count: expiries, units: input.expiry },
    { flow: 'emails', count: sold + expiries, units: input.email },
  ].map(({ flow, count, units }) => ({
    flow,
    count,
    writeUnits: count * units.writeUnits,
    readUnits: count * units.readUnits,
  }));
  const writeUnits = flows.reduce((sum, flow) => sum + flow.writeUnits, 0);
  const readUnits = flows.reduce((sum, flow) => sum + flow.readUnits, 0);
  return {
    flows,
    writeUnits,
    readUnits,
    dollars:
      (writeUnits * ON_DEMAND_PRICES.writePerMillion +
        readUnits * ON_DEMAND_PRICES.readPerMillion) /
      1_000_000,
  };
}
