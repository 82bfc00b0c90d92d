/**
 * Setup of the seated scenario, untimed: the organizer, the customers (enough for the
 * larger phase; both phases use the first ones, each on its own event) and three
 * published seated events, all sections selling one ticket type.
 */
import type { BenchContext } from '../context.js';
import { type BenchLayout, gridLayout } from '../seat-map.js';
import { createSeatedEvent, type SeatedEvent } from '../seated-api.js';
import { fmt } from '../stats.js';
import { withClient } from '../stop.js';
import type { Actor } from '../users.js';
import { createActors } from './setup.js';

/** 2,000 seats: 1,000 pairs, fewer than the default 1,200 buyers want. */
const PAIRS_LAYOUT = gridLayout(['Left', 'Right'], 20, 50);
/** 1,000 seats: less than 500 buyers of 2–4 ask for. */
const BEST_AVAILABLE_LAYOUT = gridLayout(['Left', 'Right'], 10, 50);
/** Small: the warm-up only loads modules and opens sockets. */
const WARM_UP_LAYOUT = gridLayout(['Warm'], 4, 50);

export interface SeatedSetup {
  organizer: Actor;
  customers: Actor[];
  pairs: SeatedEvent;
  bestAvailable: SeatedEvent;
  warm: SeatedEvent;
  ms: number;
}

export async function setUpSeated({ options, apiUrl }: BenchContext): Promise<SeatedSetup> {
  const started = performance.now();
  const count = Math.max(options.buyers, options.bestAvailableBuyers);
  const setup = await withClient(apiUrl, options.setupConcurrency, async (http) => {
    const { organizer, customers } = await createActors(http, options, count);
    const create = (name: string, layout: BenchLayout) =>
      createSeatedEvent(http, organizer.token, name, layout);
    return {
      organizer,
      customers,
      pairs: await create('Bench seated pairs', PAIRS_LAYOUT),
      bestAvailable: await create('Bench seated best available', BEST_AVAILABLE_LAYOUT),
      warm: await create('Bench seated warm-up', WARM_UP_LAYOUT),
    };
  });
  const ms = performance.now() - started;
  console.log(
    `Setup done in ${fmt(ms / 1000)} s (organizer, ${setup.customers.length} customers, 3 seated events)`,
  );
  return { ...setup, ms };
}
