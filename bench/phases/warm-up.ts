/**
 * Warm-up, untimed: holds on their own event load the handler modules, fetch the JWKS,
 * warm the JIT and open the sockets; then a round of counter updates, as many as a
 * ceiling round, or the ceiling's first round would pay DynamoDB Local's warm-up.
 */
import { type BenchEvent, holdRequest } from '../api.js';
import type { BenchContext } from '../context.js';
import type { Counters } from '../counter.js';
import { expectStatus } from '../http.js';
import { runPool } from '../pool.js';
import { checkStop, stopRequested, withClient } from '../stop.js';
import type { Actor } from '../users.js';

export async function warmUp(
  { options, apiUrl }: BenchContext,
  event: BenchEvent,
  customers: readonly Actor[],
  counters: Counters,
): Promise<void> {
  const holds = Math.min(customers.length, options.concurrency * 4);
  await withClient(apiUrl, options.concurrency, (http) =>
    runPool(
      holds,
      options.concurrency,
      async (index) => {
        const token = (customers[index] as Actor).token;
        const reply = await holdRequest(http, event, token, options.idempotencyKey);
        expectStatus(reply, 201, 'warm-up hold');
      },
      stopRequested,
    ),
  );
  await counters.reset('warm-up', 1_000_000);
  await runPool(options.buyers, options.concurrency, () => counters.decrement('warm-up'));
  checkStop();
}
