import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { passesFilters } from '../../local/stream-filters.js';
import { LIVE_STREAM_FILTERS, liveChangeOf } from '../../shared/db/entities/live.js';
import { eventKeys, liveKeys, orderKeys } from '../../shared/db/table.js';
import {
  inventoryChange,
  inventoryItem,
  seatItem,
  streamRecord,
} from '../support/live-fixtures.js';

const passes = (record: DynamoDBRecord) => passesFilters(LIVE_STREAM_FILTERS, record);

describe('the stream filters of the broadcaster', () => {
  it.each([
    ['an availability change', inventoryChange('e', { ga: 2 }, { ga: 1 })],
    ['a seat taken', streamRecord('INSERT', { new: seatItem('e', 1, 'HELD') })],
    [
      'a seat sold',
      streamRecord('MODIFY', { old: seatItem('e', 1, 'HELD'), new: seatItem('e', 1, 'SOLD') }),
    ],
    ['a seat released', streamRecord('REMOVE', { old: seatItem('e', 1, 'HELD') })],
  ])('let %s through, which the broadcaster pushes', (_, record) => {
    expect(passes(record)).toBe(true);
    expect(liveChangeOf(record)).not.toBeNull();
  });

  it.each([
    ['a new draft', streamRecord('INSERT', { new: inventoryItem('e', { ga: 5 }) })],
    [
      'an event description',
      streamRecord('MODIFY', {
        old: { ...eventKeys.meta('e'), name: 'a' },
        new: { ...eventKeys.meta('e'), name: 'b' },
      }),
    ],
    ['an order', streamRecord('INSERT', { new: { ...orderKeys.order('o'), entity: 'Order' } })],
    [
      'a subscription',
      streamRecord('INSERT', {
        new: { ...liveKeys.subscription('e', 'c'), entity: 'LiveSubscription' },
      }),
    ],
    [
      'a push window',
      streamRecord('MODIFY', {
        old: { ...liveKeys.broadcast('e'), startedAt: 1 },
        new: { ...liveKeys.broadcast('e'), startedAt: 2 },
      }),
    ],
  ])('keep %s out, which would only cost an invocation', (_, record) => {
    expect(passes(record)).toBe(false);
    expect(liveChangeOf(record)).toBeNull();
  });
});
