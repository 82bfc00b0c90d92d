import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { DynamoOrderRepository } from '../../shared/adapters/dynamo-order-repository.js';
import type { OrderListQuery } from '../../shared/domain/order-ports.js';
import { readable } from '../support/expressions.js';

/*
 * The filters list reads send, as a reader would write them: which stored orders each
 * listed status stands for, and the event listings' search, bounds and owner.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = 'unit-test-table';
const NOW = '2030-01-01T00:05:00.000Z';

beforeEach(() => {
  ddb.reset();
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
});

/** The filter of the first Query sent, readable. */
function sentFilter(): string {
  const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
  return readable(input?.FilterExpression, input ?? {});
}

describe('order lists', () => {
  const orders = new DynamoOrderRepository(client, TABLE);
  const list = (query: Partial<OrderListQuery>) =>
    orders.listByEvent('e-1', { now: NOW, limit: 10, ...query });

  it.each([
    ['HELD', `((status = "HELD" AND expiresAt > "${NOW}") OR status = "PAYING")`],
    ['EXPIRED', `(status = "EXPIRED" OR (status = "HELD" AND expiresAt <= "${NOW}"))`],
    ['CONFIRMED', 'status IN ("CONFIRMED", "REFUNDING")'],
    ['CANCELLED', 'status = "CANCELLED"'],
    ['REFUNDED', 'status = "REFUNDED"'],
  ] as const)('status %s filters on %s', async (status, filter) => {
    await list({ status });
    expect(sentFilter()).toBe(filter);
  });

  it('live, a customer email and an organizer are ANDed after the status', async () => {
    await list({
      status: 'CONFIRMED',
      live: true,
      customerEmail: 'ann@example.com',
      organizerId: 'o-1',
    });
    expect(sentFilter()).toBe(
      'status IN ("CONFIRMED", "REFUNDING") AND ' +
        'status IN ("HELD", "PAYING", "CONFIRMED", "REFUNDING") AND ' +
        'customerEmail = "ann@example.com" AND organizerId = "o-1"',
    );
  });

  it('sends no filter when nothing narrows the list', async () => {
    await list({});
    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.FilterExpression).toBeUndefined();
    expect(input?.ExpressionAttributeNames).toEqual({ '#pk': 'gsi1pk' });
  });
});

describe('event lists', () => {
  const events = new DynamoEventRepository(client, TABLE);

  it("filters an organizer's list by status and a lower-cased name", async () => {
    await events.list({
      index: 'byOrganizer',
      organizerId: 'o-1',
      status: 'DRAFT',
      nameContains: 'Jazz',
      limit: 10,
    });
    expect(sentFilter()).toBe('status = "DRAFT" AND contains(nameLower, "jazz")');
  });

  it('filters a radius search by start, status, organizer, time bounds and name', async () => {
    await events.listNear({
      index: 'byOrganizer',
      organizerId: 'o-1',
      status: 'PUBLISHED',
      from: '2030-02-01T00:00:00Z',
      to: '2030-03-01T00:00:00Z',
      nameContains: 'Jazz',
      limit: 10,
      near: { centre: { latitude: 52.5, longitude: 13.4 }, radiusKm: 5 },
      startsAfter: NOW,
    });
    expect(sentFilter()).toBe(
      `startsAt > "${NOW}" AND status = "PUBLISHED" AND organizerId = "o-1" AND ` +
        'startsAt >= "2030-02-01T00:00:00Z" AND startsAt <= "2030-03-01T00:00:00Z" AND ' +
        'contains(nameLower, "jazz")',
    );
  });
});
