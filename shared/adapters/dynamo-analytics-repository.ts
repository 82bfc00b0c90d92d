import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../db/batch-get.js';
import { itemsOfEntries, queryDueShards } from '../db/due-shards.js';
import { ItemExpression } from '../db/expression.js';
import { queryPartition } from '../db/paging.js';
import { analyticsKeys, eventKeys, orderKeys } from '../db/table.js';
import { type EventSummary, type EventTotals, emptyTotals } from '../domain/analytics-model.js';
import type { AnalyticsRepository } from '../domain/analytics-ports.js';
import { ORDER_RESOLUTIONS } from '../domain/event-model.js';

type Item = Record<string, unknown>;

/** Day partitions read at once; a year-long window is 366 Queries. */
const DAY_READ_CONCURRENCY = 8;
/**
 * Due-index entries looked at per shard and overdue count (8,000 in all, ~180 bytes each):
 * the expiry job keeps far fewer overdue.
 */
const OVERDUE_SCAN_ROUND = 250;
const OVERDUE_SCAN_ROUNDS = 2;

export class DynamoAnalyticsRepository implements AnalyticsRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async totalsByEvent(days: readonly string[]): Promise<Map<string, EventTotals>> {
    const totals = new Map<string, EventTotals>();
    let next = 0;
    const worker = async () => {
      while (next < days.length) {
        const day = days[next++] as string;
        for (const item of await this.dayItems(day)) addDay(totals, item);
      }
    };
    await Promise.all(Array.from({ length: DAY_READ_CONCURRENCY }, worker));
    return totals;
  }

  async summaries(eventIds: readonly string[]): Promise<Map<string, EventSummary>> {
    const keys = eventIds.flatMap((id) => [eventKeys.meta(id), eventKeys.inventory(id)]);
    const items = await batchGetAll(this.client, this.tableName, keys, { consistent: false });
    const find = (key: { pk: string; sk: string }) =>
      items.find((item) => item.pk === key.pk && item.sk === key.sk);
    const summaries = new Map<string, EventSummary>();
    for (const id of eventIds) {
      const meta = find(eventKeys.meta(id));
      const inventory = find(eventKeys.inventory(id));
      if (!meta || !inventory) continue;
      const ticketTypes = Object.values(inventory.ticketTypes as Record<string, Item>);
      summaries.set(id, {
        name: String(meta.name),
        capacity: ticketTypes.reduce((sum, ticketType) => sum + Number(ticketType.capacity), 0),
      });
    }
    return summaries;
  }

  async overdueHolds(eventId: string, since: string, now: string): Promise<number> {
    // Only `eventId` of an order is in the index: the status comes from the orders below.
    const dueHolds = await queryDueShards(
      this.client,
      this.tableName,
      orderKeys.expiringShards.all,
      {
        since,
        before: now,
        filter: new ItemExpression().compare('eventId', '=', eventId).toFilter(),
        limit: OVERDUE_SCAN_ROUND,
        rounds: OVERDUE_SCAN_ROUNDS,
      },
    );
    // The index lags the table: only the orders themselves say whether they are still HELD.
    const orders = await itemsOfEntries(this.client, this.tableName, dueHolds);
    return orders.filter((order) => order.status === 'HELD' && String(order.expiresAt) <= now)
      .length;
  }

  /** Every item of one day partition; a dashboard read, so eventually consistent. */
  private dayItems(day: string): Promise<Item[]> {
    return queryPartition(this.client, this.tableName, analyticsKeys.dayPartition(day));
  }
}

function addDay(totals: Map<string, EventTotals>, item: Item): void {
  const eventId = String(item.eventId);
  const sum = totals.get(eventId) ?? emptyTotals(String(item.currency));
  for (const counter of [...ORDER_RESOLUTIONS, 'ticketsSold', 'revenueCents'] as const) {
    sum[counter] += (item[counter] as number | undefined) ?? 0;
  }
  totals.set(eventId, sum);
}
