/**
 * The oversell check: after a hot event's holds, the authoritative store read strongly
 * consistent and never through a GSI must agree with the number of successes.
 */
import { type DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { eventKeys, orderKeys } from '../shared/db/table.js';
import type { BenchEvent } from './api.js';
import type { BenchOptions } from './options.js';

export async function oversellCheck(
  client: DynamoDBDocumentClient,
  tableName: string,
  event: BenchEvent,
  options: Pick<BenchOptions, 'buyers' | 'capacity'>,
  successes: number,
) {
  const { Item: inventory } = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: eventKeys.inventory(event.eventId),
      ConsistentRead: true,
    }),
  );
  const ticketType = inventory?.ticketTypes?.[event.ticketTypeId] as
    | { available: number; held: number; sold: number; capacity: number }
    | undefined;
  let orders = 0;
  for await (const page of paginateScan(
    { client },
    {
      TableName: tableName,
      ConsistentRead: true,
      FilterExpression: '#entity = :order AND #eventId = :eventId',
      ExpressionAttributeNames: { '#entity': 'entity', '#eventId': 'eventId' },
      ExpressionAttributeValues: { ':order': 'Order', ':eventId': event.eventId },
      Select: 'COUNT',
    },
  )) {
    orders += page.Count ?? 0;
  }
  let liveTickets = 0;
  // Each customer's counter is on the customer's own key: found by a Scan, as the orders.
  const counterKey = orderKeys.customerTickets(event.eventId, '');
  for await (const page of paginateScan(
    { client },
    {
      TableName: tableName,
      ConsistentRead: true,
      FilterExpression: 'sk = :sk AND begins_with(pk, :customer)',
      ExpressionAttributeValues: { ':sk': counterKey.sk, ':customer': 'CUSTOMER#' },
    },
  )) {
    for (const item of page.Items ?? []) liveTickets += Number(item.live ?? 0);
  }

  const expected = Math.min(options.buyers, options.capacity);
  const found = {
    successes,
    available: ticketType?.available ?? Number.NaN,
    held: ticketType?.held ?? Number.NaN,
    sold: ticketType?.sold ?? Number.NaN,
    ordersInTable: orders,
    orderCount: Number(inventory?.orderCount ?? Number.NaN),
    customerLiveTickets: liveTickets,
  };
  const checks = {
    'successes == min(N, C)': found.successes === expected,
    'available == C - min(N, C)': found.available === options.capacity - expected,
    'held == min(N, C)': found.held === expected,
    'sold == 0': found.sold === 0,
    'orders in table == min(N, C)': found.ordersInTable === expected,
    'INVENTORY.orderCount == min(N, C)': found.orderCount === expected,
    'sum of customer live tickets == min(N, C)': found.customerLiveTickets === expected,
  };
  const oversold =
    found.successes > options.capacity ||
    found.ordersInTable > options.capacity ||
    found.held + found.sold > options.capacity ||
    found.available < 0;
  return { expected, found, checks, oversold, pass: Object.values(checks).every(Boolean) };
}

export type OversellCheck = Awaited<ReturnType<typeof oversellCheck>>;

export function verdict(result: { pass: boolean; oversold: boolean }): string {
  if (result.pass) return 'PASS';
  return result.oversold ? 'FAIL: OVERSOLD' : 'FAIL: counts disagree (no oversell)';
}
