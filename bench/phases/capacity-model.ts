/**
 * The CAPACITY MODEL printed after phase 3: the measured units of a hold, a payment and
 * a sold-out rejection, put through bench/model.ts for one hot event on AWS.
 */
import {
  type CeilingModel,
  type CostModel,
  costPer1000Tickets,
  type FlowUnits,
  type HotKeys,
  hotKeys,
  type KeyUnits,
  modelCeiling,
  ON_DEMAND_PRICES,
  PARTITION_WCU_PER_SECOND,
  type QuotaNeed,
  quotaNeeds,
  shardsFor,
  TARGET_HOLDS_PER_SECOND,
  unitsByKey,
} from '../model.js';
import { fmt, round } from '../stats.js';
import type { Units } from './units.js';

/**
 * Inventory shards of a GA ticket type. Today: 1 (unsharded): every hold writes the
 * event's one INVENTORY item. Once the inventory is sharded, this is where its count goes.
 */
export const INVENTORY_SHARDS = 1;

/** Assumed: one hold in five lapses unpaid (an expiry and its email each). */
const EXPIRED_SHARE = 0.2;

/**
 * Itemized from the code, not measured: the bench runs no expiry runner and no email
 * queue. An expiry reads the order (1 RCU) and commits order + INVENTORY + outbox +
 * customer counter + analytics day (5 × 2 WCU) with the order's three index copies and
 * the outbox's due copy (4 × 2), then the relay deletes the outbox message and its copy
 * (2). An email reads its order (1 RCU), claims the SENT marker, takes the recipient's
 * hourly cap and marks it sent (3 × 1 WCU). Audit records (the stream consumer) and SES
 * are not counted.
 */
const EXPIRY: FlowUnits = { writeUnits: 20, readUnits: 1 };
const EMAIL: FlowUnits = { writeUnits: 3, readUnits: 1 };

export interface CapacityModel {
  shards: number;
  hot: HotKeys;
  keys: KeyUnits[];
  ceiling: CeilingModel;
  shardsForTarget: number;
  rejection: { hotKeyWcu: number; writesOnHotKey: number; flow: FlowUnits };
  secondsPerHold: number;
  quotasAtCeiling: QuotaNeed[];
  quotasAtTarget: QuotaNeed[];
  cost: CostModel;
  assumptions: Record<string, unknown>;
}

export function capacityModel(units: Units): CapacityModel | null {
  const sample = units.held[0];
  if (!sample) return null;
  const items = sample.hold.transactionItems;
  const hot = hotKeys(items);
  const hotKey = hot.table?.key ?? '';
  const ceiling = modelCeiling({
    shards: INVENTORY_SHARDS,
    hotKeyWcuPerHold: hot.table?.wcu ?? 0,
    ...(hot.index && { hotIndexKeyWcuPerHold: hot.index.wcu }),
  });
  const rejectionKeys = units.rejections.map((r) => unitsByKey(r.flow.transactionItems));
  // Authorizer and handler run in turn, so a request's time counts both functions' concurrency.
  const secondsPerHold = units.holdMsP50 / 1000;
  const wcuPerHold = units.holdFlow.writeUnits;
  return {
    shards: INVENTORY_SHARDS,
    hot,
    keys: unitsByKey(items),
    ceiling,
    shardsForTarget: shardsFor(TARGET_HOLDS_PER_SECOND, hot.table?.wcu ?? 0),
    rejection: {
      hotKeyWcu: Math.max(
        0,
        ...rejectionKeys.map(
          (keys) => keys.find((k) => k.where === 'table' && k.key === hotKey)?.wcu ?? 0,
        ),
      ),
      writesOnHotKey: units.rejections.reduce(
        (sum, r) => sum + r.flow.writtenKeys.filter((key) => key === hotKey).length,
        0,
      ),
      flow: units.rejectionFlow,
    },
    secondsPerHold,
    quotasAtCeiling: quotaNeeds({
      holdsPerSecond: ceiling.holdsPerSecond,
      wcuPerHold,
      secondsPerHold,
    }),
    quotasAtTarget: quotaNeeds({
      holdsPerSecond: TARGET_HOLDS_PER_SECOND,
      wcuPerHold,
      secondsPerHold,
    }),
    cost: costPer1000Tickets({
      hold: units.holdFlow,
      payment: units.paymentFlow,
      expiry: EXPIRY,
      email: EMAIL,
      expiredShare: EXPIRED_SHARE,
    }),
    assumptions: {
      prices: ON_DEMAND_PRICES,
      expiredShare: EXPIRED_SHARE,
      expiry: EXPIRY,
      email: EMAIL,
      partitionWcuPerSecond: PARTITION_WCU_PER_SECOND,
    },
  };
}

const quotaLine = (need: QuotaNeed) =>
  `${need.quota}: ${fmt(need.needed, 0)} of the default ${fmt(need.defaultLimit, 0)}${need.raise ? ` → RAISE to ≥ ${fmt(need.needed, 0)}` : ' (fits)'}`;

export function capacityModelLines(model: CapacityModel | null): string[] {
  if (!model) return ['CAPACITY MODEL: no sample hold got 201, nothing to model'];
  const { hot, ceiling, rejection, cost } = model;
  const perMillion = `$${ON_DEMAND_PRICES.writePerMillion}/M write and $${ON_DEMAND_PRICES.readPerMillion}/M read request units`;
  return [
    `CAPACITY MODEL (one event on AWS; S = ${model.shards} inventory shard${model.shards === 1 ? ', today: 1 (unsharded)' : 's'})`,
    '   write units of one hold by partition key (transactional: 2 per started KB, index copies at the same rate):',
    ...model.keys.map((key) => `     ${key.where.padEnd(5)} ${key.key.padEnd(48)} ${key.wcu} WCU`),
    `   hot table key: ${hot.table?.key} ${hot.table?.wcu} WCU per hold → ${model.shards} × ${PARTITION_WCU_PER_SECOND} ÷ ${hot.table?.wcu} = ${fmt(ceiling.tableKeyHoldsPerSecond, 0)} holds/s`,
    `   hot index key: ${hot.index ? `${hot.index.where} ${hot.index.key} ${hot.index.wcu} WCU per hold → ${PARTITION_WCU_PER_SECOND} ÷ ${hot.index.wcu} = ${fmt(ceiling.indexKeyHoldsPerSecond, 0)} holds/s (not sharded with the inventory)` : 'none'}`,
    `   MODELED CEILING: ${fmt(ceiling.holdsPerSecond, 0)} holds/s for one event, bound by the ${ceiling.boundBy}; ${fmt(TARGET_HOLDS_PER_SECOND, 0)}/s needs S ≥ ${model.shardsForTarget} on the table key` +
      (ceiling.indexKeyHoldsPerSecond < TARGET_HOLDS_PER_SECOND
        ? ` and the index key ${hot.index?.key} spread over ≥ ${Math.ceil(TARGET_HOLDS_PER_SECOND / ceiling.indexKeyHoldsPerSecond)} partitions`
        : ''),
    `   sold-out rejection: ${rejection.hotKeyWcu} WCU on ${hot.table?.key} (${rejection.writesOnHotKey} writes sent to it); the whole request ${rejection.flow.writeUnits} WCU (the per-client limiter's own keys), ${rejection.flow.readUnits} RCU`,
    `   all writes of one hold: ${fmt(model.hot.totalWcu, 1)} WCU in its transaction (items and index copies), ${fmt(cost.flows[0] ? cost.flows[0].writeUnits / cost.flows[0].count : 0, 1)} WCU with the limiter's`,
    `   at the modeled ceiling (${fmt(ceiling.holdsPerSecond, 0)}/s, ${fmt(model.secondsPerHold * 1000, 0)} ms per hold request: p50 of phase 3's holds, one at a time, end to end here):`,
    ...model.quotasAtCeiling.map((need) => `     ${quotaLine(need)}`),
    `   at ${fmt(TARGET_HOLDS_PER_SECOND, 0)} holds/s (the on-sale target), what a real on-sale must raise:`,
    ...model.quotasAtTarget.map((need) => `     ${quotaLine(need)}`),
    `   on-demand cost per 1,000 tickets sold (${ON_DEMAND_PRICES.region}, ${perMillion}; prices assumed as of writing): $${fmt(cost.dollars, 4)}`,
    ...cost.flows.map(
      (flow) =>
        `     ${flow.flow.padEnd(9)} ${fmt(flow.count, 0).padStart(5)} × → ${fmt(flow.writeUnits, 0)} WRU, ${fmt(flow.readUnits, 0)} RRU`,
    ),
    `     holds and payments measured here; expiries (${EXPIRY.writeUnits} WRU, ${EXPIRY.readUnits} RRU each) and emails (${EMAIL.writeUnits} WRU, ${EMAIL.readUnits} RRU) itemized from the code; ${round(EXPIRED_SHARE * 100)} % of holds assumed to lapse; audit records, streams and SES not counted`,
  ];
}
