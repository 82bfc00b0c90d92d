import { describe, expect, it } from 'vitest';
import { listEventsQuerySchema } from '../../shared/domain/event-model.js';
import { radiusKmSchema } from '../../shared/domain/geo.js';
import { relevantEventsQuerySchema } from '../../shared/domain/relevant-events.js';

describe('radiusKmSchema', () => {
  it.each([
    ['5', 5],
    ['2.5', 2.5],
    ['500', 500],
    ['0.001', 0.001],
  ])('accepts the plain decimal %j as %d', (input, expected) => {
    expect(radiusKmSchema.parse(input)).toBe(expected);
  });

  it.each([
    ['0x10', 'not a decimal'],
    ['1e2', 'not a decimal'],
    ['', 'not a decimal'],
    ['abc', 'not a decimal'],
    [' 5', 'not a decimal'],
    ['-5', 'not a decimal'],
    ['5.', 'not a decimal'],
    ['Infinity', 'not a decimal'],
    ['0', 'too small'],
    ['500.1', 'too large'],
  ])('rejects %j (%s) with a message that says what it must be', (input, why) => {
    const result = radiusKmSchema.safeParse(input);

    expect(result.success).toBe(false);
    const [issue, ...others] = result.error?.issues ?? [];
    expect(others).toEqual([]);
    expect(issue?.message).toBe(
      {
        'not a decimal': 'must be a decimal number of kilometres, e.g. 25 or 2.5',
        'too small': 'must be more than 0',
        'too large': 'must be at most 500',
      }[why],
    );
  });

  it('control: Number() alone would take the hex, exponent and empty strings', () => {
    expect([Number('0x10'), Number('1e2'), Number('')]).toEqual([16, 100, 0]);
  });

  it('defaults to 50 for relevant-events, and stays optional for a listing', () => {
    expect(relevantEventsQuerySchema.parse({}).radiusKm).toBe(50);
    expect(relevantEventsQuerySchema.parse({ radiusKm: '12.5' }).radiusKm).toBe(12.5);
    expect(relevantEventsQuerySchema.safeParse({ radiusKm: '0x10' }).success).toBe(false);
    expect(listEventsQuerySchema.parse({ near: '1,2' }).radiusKm).toBeUndefined();
    expect(listEventsQuerySchema.safeParse({ near: '1,2', radiusKm: '1e2' }).success).toBe(false);
  });
});

describe('listEventsQuerySchema with near', () => {
  it.each(['DRAFT', 'CANCELLED'])('rejects status=%s at query status', (status) => {
    const result = listEventsQuerySchema.safeParse({ near: '52.5,13.4', status });

    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['status'],
        message: expect.stringContaining('near-me searches published events only'),
      }),
    ]);
  });

  it('takes status=PUBLISHED or none, and any status without near (control)', () => {
    expect(listEventsQuerySchema.safeParse({ near: '52.5,13.4' }).success).toBe(true);
    expect(
      listEventsQuerySchema.safeParse({ near: '52.5,13.4', status: 'PUBLISHED' }).success,
    ).toBe(true);
    expect(listEventsQuerySchema.safeParse({ status: 'DRAFT' }).success).toBe(true);
  });
});
