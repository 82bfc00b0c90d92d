import { afterEach, describe, expect, it } from 'vitest';
import { optionalPositiveInt } from '../../shared/env.js';

const NAME = 'UNIT_TEST_OPTIONAL_INT';

afterEach(() => {
  delete process.env[NAME];
});

describe('optionalPositiveInt', () => {
  it('falls back when unset or blank', () => {
    expect(optionalPositiveInt(NAME, 20)).toBe(20);
    process.env[NAME] = '  ';
    expect(optionalPositiveInt(NAME, 20)).toBe(20);
  });

  it('reads a whole number of at least 1', () => {
    process.env[NAME] = ' 5 ';
    expect(optionalPositiveInt(NAME, 20)).toBe(5);
  });

  it.each(['0', '-3', '2.5', '1e3', 'abc', '07', '9999999999'])(
    'throws on %s rather than quietly using another limit',
    (value) => {
      process.env[NAME] = value;
      expect(() => optionalPositiveInt(NAME, 20)).toThrow(NAME);
    },
  );
});
