/**
 * Warm-up of the seated scenario, untimed: pair buyers on a small event of their own
 * load the seat-map and hold handlers, fetch the JWKS, warm the JIT and open the
 * sockets before anything is timed.
 */
import type { BenchContext } from '../context.js';
import { runPool } from '../pool.js';
import { RequestLog } from '../request-log.js';
import type { SeatedEvent } from '../seated-api.js';
import { checkStop, stopRequested, withClient } from '../stop.js';
import type { Actor } from '../users.js';
import { pairBuyer } from './seat-pairs.js';

export async function warmUpSeated(
  { options, apiUrl }: BenchContext,
  event: SeatedEvent,
  customers: readonly Actor[],
): Promise<void> {
  const buyers = Math.min(customers.length, options.concurrency * 2, event.capacity / 2);
  const buy = pairBuyer(event, options.idempotencyKey);
  const log = new RequestLog();
  await withClient(apiUrl, options.concurrency, (http) =>
    runPool(
      buyers,
      options.concurrency,
      async (index) => {
        const answer = await buy(customers[index] as Actor, { http, log, held: () => undefined });
        if (answer.outcome === 'other') throw new Error(`warm-up buyer: ${answer.kind}`);
      },
      stopRequested,
    ),
  );
  checkStop();
}
