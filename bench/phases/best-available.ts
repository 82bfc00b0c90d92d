/**
 * 2. Best available: each buyer asks the server for 2–4 seats together
 * (`bestAvailable`), on a fresh map of its own. The server reads the taken seats, picks
 * and, when a racing buyer took some first, picks again (up to 12 times, with pauses),
 * so lost races show as extra TransactWriteItems calls rather than as 409s. A buyer
 * gives up on 409 SOLD_OUT and asks again on 409 CONCURRENT_MODIFICATION (the server
 * lost every race), up to MAX_HOLD_ATTEMPTS times. The orphan count at the end shows
 * how well the picking kept rows usable for parties of two or more.
 */
import type { DynamoProbe } from '../capacity.js';
import type { BenchContext } from '../context.js';
import type { Answer } from '../measure.js';
import { describeLayout } from '../seat-map.js';
import { holdOutcome, holdSeated, SEATED_MAX_PER_ORDER, type SeatedEvent } from '../seated-api.js';
import type { Actor } from '../users.js';
import { type Buyer, MAX_HOLD_ATTEMPTS, type SeatedHolds, seatedHolds } from './seated-holds.js';

const MIN_PARTY = 2;

function bestAvailableBuyer(event: SeatedEvent, idempotencyKey: boolean): Buyer {
  return async (customer, { http, log, held }): Promise<Answer> => {
    const quantity = MIN_PARTY + Math.floor(Math.random() * (SEATED_MAX_PER_ORDER - MIN_PARTY + 1));
    const bestAvailable = { ticketTypeId: event.ticketTypeId, quantity };
    for (let attempt = 0; attempt < MAX_HOLD_ATTEMPTS; attempt++) {
      const reply = await holdSeated(
        http,
        log,
        event.eventId,
        customer.token,
        { bestAvailable },
        idempotencyKey,
      );
      const outcome = holdOutcome(reply, '409 CONCURRENT_MODIFICATION', (seats) =>
        held({ ...seats, asked: quantity }),
      );
      if (outcome !== 'retry') return outcome;
    }
    return { outcome: 'other', kind: `${MAX_HOLD_ATTEMPTS} × 409 CONCURRENT_MODIFICATION` };
  };
}

export function bestAvailable(
  ctx: BenchContext,
  probe: DynamoProbe,
  event: SeatedEvent,
  customers: readonly Actor[],
): Promise<SeatedHolds> {
  const { options } = ctx;
  const shape = describeLayout(event.layout);
  console.log(
    `\n2. ${customers.length} best-available buyers of ${MIN_PARTY}–${SEATED_MAX_PER_ORDER} seats on ${shape}, ${options.concurrency} in flight`,
  );
  return seatedHolds(
    ctx,
    probe,
    {
      title: `2. BEST AVAILABLE over HTTP (${customers.length} buyers of ${MIN_PARTY}–${SEATED_MAX_PER_ORDER} seats, ${shape}, concurrency ${options.concurrency})`,
      label: 'best available',
      event,
      customers,
    },
    bestAvailableBuyer(event, options.idempotencyKey),
  );
}
