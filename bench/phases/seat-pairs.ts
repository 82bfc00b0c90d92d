/**
 * 1. Adjacent pairs: each buyer wants two seats side by side. It reads the map of
 * available seats, picks one adjacent pair at random and holds it by `seatIds`; when
 * someone else took a seat first (409 SEAT_UNAVAILABLE) it reads the map again and
 * picks another, up to MAX_HOLD_ATTEMPTS times. It gives up on 409 SOLD_OUT or when the
 * map has no adjacent pair left.
 */
import type { DynamoProbe } from '../capacity.js';
import type { BenchContext } from '../context.js';
import type { Answer } from '../measure.js';
import { adjacentPairs, describeLayout } from '../seat-map.js';
import { availableSeats, holdOutcome, holdSeated, type SeatedEvent } from '../seated-api.js';
import type { Actor } from '../users.js';
import { type Buyer, MAX_HOLD_ATTEMPTS, type SeatedHolds, seatedHolds } from './seated-holds.js';

/** A buyer of two adjacent seats of `event`. */
export function pairBuyer(event: SeatedEvent, idempotencyKey: boolean): Buyer {
  return async (customer, { http, log, held }): Promise<Answer> => {
    for (let attempt = 0; attempt < MAX_HOLD_ATTEMPTS; attempt++) {
      const map = await availableSeats(http, log, event.eventId);
      if ('failed' in map) return { outcome: 'other', kind: map.failed };
      const pairs = adjacentPairs(map.seats);
      const pair = pairs[Math.floor(Math.random() * pairs.length)];
      if (!pair) return { outcome: 'soldOut', kind: 'no adjacent pair left' };
      const seatIds = [...pair];
      const reply = await holdSeated(
        http,
        log,
        event.eventId,
        customer.token,
        { seatIds },
        idempotencyKey,
      );
      const outcome = holdOutcome(reply, '409 SEAT_UNAVAILABLE', (seats) =>
        held({ ...seats, asked: seatIds }),
      );
      if (outcome !== 'retry') return outcome;
    }
    return { outcome: 'other', kind: `${MAX_HOLD_ATTEMPTS} seats taken first` };
  };
}

export function seatPairs(
  ctx: BenchContext,
  probe: DynamoProbe,
  event: SeatedEvent,
  customers: readonly Actor[],
): Promise<SeatedHolds> {
  const { options } = ctx;
  const shape = describeLayout(event.layout);
  console.log(
    `\n1. ${customers.length} buyers of 2 adjacent seats on ${shape}, ${options.concurrency} in flight`,
  );
  return seatedHolds(
    ctx,
    probe,
    {
      title: `1. ADJACENT PAIRS over HTTP (${customers.length} buyers, ${shape}, concurrency ${options.concurrency})`,
      label: 'adjacent pairs',
      event,
      customers,
    },
    pairBuyer(event, options.idempotencyKey),
  );
}
