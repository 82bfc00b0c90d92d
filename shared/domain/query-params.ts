import * as z from 'zod';

/**
 * No sign, no leading zero, no blanks: `Number()` (and `z.coerce`) would also take
 * `0x10`, `1e2`, ` 10`, `10.0`, `+5` and `` (as 0).
 */
const DIGITS = /^(0|[1-9][0-9]*)$/;

/**
 * An integer query parameter from `min` to `max`. Query values are strings: only one in
 * plain digits becomes a number, anything else fails as not an integer. A number passes
 * as it is (the contract's examples are numbers).
 *
 * Documented as the integer it parses to, as `radiusKm` is: give a default with
 * `.prefault()`, which the input-side JSON Schema renders, not `.default()`.
 */
export function queryInteger(min: number, max: number, description: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value),
    z
      .int({ error: 'must be a whole number in plain digits, e.g. 20' })
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .meta({
        description: `${description}; plain digits (no sign, point, exponent or leading 0)`,
      }),
  );
}
