/**
 * 2b. The floor: what a hold that records its order has to write, measured like the
 * ceiling (same N, concurrency and DynamoDB Local, in-process, rounds on fresh keys, the
 * median round counts). Such a sale must at least take a unit of stock (the ceiling's
 * conditional update) and record the order (a PutItem of an order item with its three
 * index copies); a real hold also passes the authorizer, whose consistent read comes
 * before both. Without HTTP, the authorizer's token check, the event read or the
 * per-customer cap, these rates ÷ the ceiling bound from above the ratio such a hold can
 * reach on this machine.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { orderKeys, table } from '../../shared/db/table.js';
import type { UserRepository } from '../../shared/domain/identity-ports.js';
import type { Order } from '../../shared/domain/order-model.js';
import { type Counters, takeUnit } from '../counter.js';
import { type Measure, type Phase, phaseSummary, successRate } from '../measure.js';
import { fmt, medianBy, round } from '../stats.js';

const VARIANTS = {
  twoWrites: 'two writes: conditional UpdateItem + order PutItem (3 GSI copies)',
  readAndTwoWrites:
    'read + two writes: consistent BatchGet (profile + revoked token), then the two writes',
} as const;
type Variant = keyof typeof VARIANTS;

export type Floor = Record<Variant, { median: Phase; roundRates: number[] }>;

const { collection, byOwner, dueSharded: due } = table.globalSecondaryIndexes;
const HOLD_MS = 86_400_000;

interface FloorEvent {
  id: string;
  ticketTypeId: string;
  organizerId: string;
}

/**
 * An order item as `DynamoOrderRepository.hold` puts it (its item builder is private):
 * the same attributes and the collection, owner and due index keys, so the Put writes as
 * many bytes and index copies as a real hold's.
 */
function orderItem(
  event: FloorEvent,
  customer: { id: string; email: string },
  index: number,
): Record<string, unknown> {
  const now = new Date();
  const order: Order = {
    id: ulid(),
    eventId: event.id,
    eventName: 'Bench floor event',
    organizerId: event.organizerId,
    customer: { userId: customer.id, email: customer.email, name: `Buyer ${index}` },
    items: [{ ticketTypeId: event.ticketTypeId, quantity: 1, unitPriceCents: 5_000 }],
    amountCents: 5_000,
    currency: 'USD',
    status: 'HELD',
    expiresAt: new Date(now.getTime() + HOLD_MS).toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const created = orderKeys.createdAtSort(order.createdAt, order.id);
  return {
    ...orderKeys.order(order.id),
    entity: 'Order',
    ...order,
    customerEmail: customer.email.toLowerCase(),
    [collection.partitionKey]: orderKeys.byEventPartition(event.id),
    [collection.sortKey]: created,
    [byOwner.partitionKey]: orderKeys.byCustomerPartition(customer.id),
    [byOwner.sortKey]: created,
    [due.partitionKey]: orderKeys.expiringShards.of(order.id),
    [due.sortKey]: orderKeys.expiresAtSort(order.expiresAt, order.id),
  };
}

export interface FloorDeps {
  client: DynamoDBDocumentClient;
  tableName: string;
  counters: Counters;
  /** The authorizer's read, through the app's own repository. */
  users: Pick<UserRepository, 'authState'>;
  /** One per request; their profiles exist, as an authorized buyer's does. */
  customers: readonly { id: string; email: string }[];
  capacity: number;
  measure: Measure;
}

/**
 * One round of each variant, each on a fresh counter and event. ceiling.ts runs it right
 * after each ceiling round, so a JVM still warming up over the run favours neither side.
 */
export async function floorRound(deps: FloorDeps, round: number): Promise<Record<Variant, Phase>> {
  const { client, tableName, counters, customers } = deps;
  const organizerId = ulid();
  const phases: Partial<Record<Variant, Phase>> = {};
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    const counter = `floor-${variant}-${round}`;
    await counters.reset(counter, deps.capacity);
    // A fresh event per round: its orders share one collection partition, as a hot event's do.
    const event: FloorEvent = { id: ulid(), ticketTypeId: ulid(), organizerId };
    phases[variant] = await deps.measure(`${variant} ${round}`, customers.length, async (index) => {
      const customer = customers[index] as { id: string; email: string };
      if (variant === 'readAndTwoWrites') {
        // A token id never revoked: the key is read and not found, as for a live token.
        const state = await deps.users.authState(customer.id, randomUUID());
        if (!state.user || state.revoked) return { outcome: 'other', kind: 'auth state' };
      }
      if ((await takeUnit(counters, counter)) === 'soldOut') return { outcome: 'soldOut' };
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: orderItem(event, customer, index),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { outcome: 'held' };
    });
  }
  return phases as Record<Variant, Phase>;
}

/** The median round of each variant, as the ceiling's median round counts. */
export function floorOf(rounds: readonly Record<Variant, Phase>[]): Floor {
  const result = (variant: Variant) => {
    const phases = rounds.map((round) => round[variant]);
    return { median: medianBy(phases, successRate), roundRates: phases.map(successRate) };
  };
  return { twoWrites: result('twoWrites'), readAndTwoWrites: result('readAndTwoWrites') };
}

export function floorLines(
  floor: Floor,
  ceilingRate: number,
  /** HTTP holds/s ÷ in-process holds/s of this run: what the gateway and authorizer keep. */
  httpHop: number,
): string[] {
  const ratio = (variant: Variant) => successRate(floor[variant].median) / ceilingRate;
  return [
    '2b. FLOOR: the least a hold must write, in-process, same N, concurrency and DynamoDB Local',
    ...(Object.keys(VARIANTS) as Variant[]).map((variant) => {
      const { median, roundRates } = floor[variant];
      return (
        `   ${VARIANTS[variant]}: ${fmt(successRate(median))}/s (median of ${roundRates.map((r) => fmt(r)).join(', ')}) ` +
        `= ${fmt(ratio(variant), 2)} × ceiling | ok ${median.counts.held}, rejected ${median.counts.soldOut}, other ${median.counts.other}`
      );
    }),
    `   meaning: no HTTP, no authorizer hop, no event read, no per-customer cap; a hold that records its order writes at least this, so ` +
      `${fmt(ratio('twoWrites'), 2)} (${fmt(ratio('readAndTwoWrites'), 2)} with the authorizer's read) bounds the RATIO from above on this machine`,
    // An estimate, not a measurement: a lighter handler would lose a larger share to the same hop.
    `   through this run's HTTP hop (×${fmt(httpHop, 2)}, which includes the authorizer's read) the two writes would reach about ` +
      `${fmt(ratio('twoWrites') * httpHop, 2)} × ceiling (estimate)`,
  ];
}

/** The floor for the JSON results, each variant summarised like the ceiling. */
export function floorResults(floor: Floor, ceilingRate: number) {
  const entry = (variant: Variant) => ({
    description: VARIANTS[variant],
    ...phaseSummary(floor[variant].median),
    ratioToCeiling: round(successRate(floor[variant].median) / ceilingRate, 3),
    roundRates: floor[variant].roundRates,
  });
  return { twoWrites: entry('twoWrites'), readAndTwoWrites: entry('readAndTwoWrites') };
}
