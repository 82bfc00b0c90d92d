/**
 * `npm run bench -- --scenario seated`: holds by seat on a hot seated event, and proof
 * that no seat is sold twice. Runs on the stack `holds.ts` started, in this order:
 *
 *   setup      organizer, max(N, B) customers with tokens, three published seated events
 *   warm-up    pair buyers on a small event of their own
 *   1. pairs   N buyers of two adjacent seats on a 2,000-seat map (map read, random
 *              adjacent pair, retry after 409 SEAT_UNAVAILABLE), then the double-sell check
 *   2. best    B buyers of 2–4 best-available seats on a fresh 1,000-seat map, the
 *              double-sell check and the orphan seats left
 */
import type { DynamoProbe } from './capacity.js';
import type { BenchContext } from './context.js';
import { bestAvailable } from './phases/best-available.js';
import { seatPairs } from './phases/seat-pairs.js';
import { setUpSeated } from './phases/seated-setup.js';
import { warmUpSeated } from './phases/seated-warm-up.js';
import type { Machine } from './report.js';
import { seatedReport } from './seated-report.js';

export async function seatedScenario(
  ctx: BenchContext,
  probe: DynamoProbe,
  run: { startedAt: Date; machine: Machine },
): Promise<number> {
  const setup = await setUpSeated(ctx);
  await warmUpSeated(ctx, setup.warm, setup.customers);
  const pairs = await seatPairs(
    ctx,
    probe,
    setup.pairs,
    setup.customers.slice(0, ctx.options.buyers),
  );
  const best = await bestAvailable(
    ctx,
    probe,
    setup.bestAvailable,
    setup.customers.slice(0, ctx.options.bestAvailableBuyers),
  );
  return seatedReport({ ...run, options: ctx.options, setup, pairs, bestAvailable: best });
}
