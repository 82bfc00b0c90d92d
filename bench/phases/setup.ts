/**
 * Setup, untimed: the organizer, N customers with tokens, and published events: the hot
 * ones with C tickets, one for the warm-up, and for the capacity units one of 1,000 and
 * one of a single ticket, sold out in phase 3.
 */
import { type BenchEvent, createEvent } from '../api.js';
import type { BenchContext } from '../context.js';
import type { HttpClient } from '../http.js';
import type { BenchOptions } from '../options.js';
import { progress } from '../progress.js';
import { fmt } from '../stats.js';
import { checkStop, stopRequested, withClient } from '../stop.js';
import type { Actor } from '../users.js';

export interface Setup {
  organizer: Actor;
  customers: Actor[];
  hot: BenchEvent;
  /** Phase 1 again, without the per-client check: the same C tickets. */
  hotUnlimited: BenchEvent;
  warm: BenchEvent;
  unitsEvent: BenchEvent;
  soldOutEvent: BenchEvent;
  ms: number;
}

/** The organizer and `count` customers, as `--users` says; both scenarios start here. */
export async function createActors(
  http: HttpClient,
  options: BenchOptions,
  count: number,
): Promise<{ organizer: Actor; customers: Actor[] }> {
  // Only now: users.js loads the app's composition, which reads the stack's environment.
  const { createCustomers, createOrganizer } = await import('../users.js');
  const organizer = await createOrganizer(http);
  const bar = progress(options.progress, `customers (${options.users})`, count);
  const customers = await createCustomers(http, {
    count,
    mode: options.users,
    concurrency: options.setupConcurrency,
    onProgress: (done) => bar.tick(done),
    shouldStop: stopRequested,
  });
  bar.stop();
  checkStop();
  return { organizer, customers };
}

export async function setUp({ options, apiUrl }: BenchContext): Promise<Setup> {
  const started = performance.now();
  const setup = await withClient(apiUrl, options.setupConcurrency, async (http) => {
    const { organizer, customers } = await createActors(http, options, options.buyers);
    const create = (name: string, capacity: number) =>
      createEvent(http, organizer.token, name, capacity);
    const hot = await create('Bench hot event', options.capacity);
    const hotUnlimited = await create('Bench hot event, no per-client check', options.capacity);
    const warm = await create('Bench warm-up', 1_000_000);
    const unitsEvent = await create('Bench units', 1_000);
    const soldOutEvent = await create('Bench sold out', 1);
    return { organizer, customers, hot, hotUnlimited, warm, unitsEvent, soldOutEvent };
  });
  const ms = performance.now() - started;
  console.log(
    `Setup done in ${fmt(ms / 1000)} s (organizer, ${setup.customers.length} customers, 5 events)`,
  );
  return { ...setup, ms };
}
