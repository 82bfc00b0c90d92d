import type { z } from 'zod';
import { ValidationFailed } from '../domain/errors.js';

/**
 * `input` checked against `schema` (undefined without one), or a ValidationFailed naming
 * each problem at its path under `location`. Shared by the HTTP and WebSocket handlers,
 * so both report a bad field the same way.
 */
export function validate(schema: z.ZodType | undefined, input: unknown, location: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationFailed(
    `The request ${location} is not valid`,
    result.error.issues.flatMap((issue) => {
      const path = [location, ...issue.path.map(String)];
      // One entry per unknown field, pointing at the field itself.
      return issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            path: [...path, key].join('.'),
            message: `unknown field "${key}"`,
          }))
        : [{ path: path.join('.'), message: issue.message }];
    }),
  );
}
