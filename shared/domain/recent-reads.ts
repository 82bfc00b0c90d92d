import type { Clock } from './clock.js';

export interface RecentReadsOptions {
  /** How old an answer may be when it is served again, from the start of its read. */
  windowMs: number;
  /** Keys kept at most; past it the oldest read is forgotten first. */
  maxEntries: number;
}

interface Entry<V> {
  startedAt: number;
  value: Promise<V>;
}

/**
 * A per-container memo of reads for a short window (README "Hot reads"): while an answer
 * is younger than `windowMs`, every caller gets it without a read, and callers that
 * arrive while it is being read wait for that read instead of starting their own, so a
 * flood on one key costs one read per window per container however it arrives. The age
 * counts from the read's start, so nothing served is older than the window. A failed
 * read is forgotten at once: the next caller reads again.
 */
export class RecentReads<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly clock: Clock,
    private readonly options: RecentReadsOptions,
  ) {}

  get(key: string, read: () => Promise<V>): Promise<V> {
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (entry && now - entry.startedAt < this.options.windowMs) return entry.value;
    // Re-inserted, so the map's order stays the order reads started in (oldest first).
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const value = read();
    const fresh = { startedAt: now, value };
    this.entries.set(key, fresh);
    value.catch(() => {
      if (this.entries.get(key) === fresh) this.entries.delete(key);
    });
    return value;
  }
}
