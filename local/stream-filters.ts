/**
 * Lambda's event filtering, for the patterns this project uses: every key of a pattern
 * must be in the record, and a leaf array lists the values allowed. The local stream
 * reader gives each consumer only what its event source mapping would.
 */
function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(value);
  if (typeof pattern !== 'object' || pattern === null) return false;
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([key, inner]) =>
    matches(inner, (value as Record<string, unknown>)[key]),
  );
}

/** Whether a record passes any of the patterns, as an event source mapping's filters. */
export const passesFilters = (patterns: readonly unknown[], record: unknown): boolean =>
  patterns.some((pattern) => matches(pattern, record));
