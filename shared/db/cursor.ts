import { ValidationFailed } from '../domain/errors.js';

type Key = Record<string, unknown>;

export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const invalid = () =>
  new ValidationFailed('The cursor is not valid for this query', [
    { path: 'query.cursor', message: 'use the nextCursor of the same query' },
  ]);

/** The JSON object a cursor carries; 400 when it carries anything else. */
function readCursor(cursor: string): Key {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
  return key as Key;
}

/**
 * Cursors are opaque to clients but must be checked: a forged one must not reach
 * DynamoDB. The caller rebuilds the only key a sort value can belong to in its query;
 * the cursor is valid if it is exactly that key and lies within the query's bounds.
 */
export function decodeCursor(
  cursor: string,
  expected: {
    sortAttribute: string;
    rebuild: (sort: string) => Key | null;
    low?: string | undefined;
    high?: string | undefined;
  },
): Key {
  const key = readCursor(cursor);
  const sort = key[expected.sortAttribute];
  if (typeof sort !== 'string') throw invalid();
  const rebuilt = expected.rebuild(sort);
  const valid =
    rebuilt !== null &&
    Object.keys(key).length === Object.keys(rebuilt).length &&
    Object.entries(rebuilt).every(([name, value]) => key[name] === value) &&
    (expected.low === undefined || sort >= expected.low) &&
    (expected.high === undefined || sort <= expected.high);
  if (!valid) throw invalid();
  return rebuilt;
}

/**
 * For a cursor that is a position in computed results rather than a table key: `accept`
 * returns the position if the cursor names one of this very query, else null (400).
 */
export function decodePosition<T>(cursor: string, accept: (content: Key) => T | null): T {
  const position = accept(readCursor(cursor));
  if (position === null) throw invalid();
  return position;
}
