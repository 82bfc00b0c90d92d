/** One page of a list and the opaque cursor of the next, null on the last. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
