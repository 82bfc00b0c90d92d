/** The API calls of the seated scenario: a seated event, its seat map, holds by seat. */
import { randomUUID } from 'node:crypto';
import { SEATING_LIMITS } from '../shared/domain/seating-model.js';
import { expectStatus, type HttpClient, type Reply } from './http.js';
import type { Answer } from './measure.js';
import { answerOf, type RequestLog } from './request-log.js';
import { type BenchLayout, type MapSeat, seatCount } from './seat-map.js';

export interface SeatedEvent {
  eventId: string;
  /** The one ticket type every section sells. */
  ticketTypeId: string;
  layout: BenchLayout;
  /** The type's capacity: its seat count. */
  capacity: number;
}

/** Up to 4 seats an order: the best-available buyers ask for 2–4. */
export const SEATED_MAX_PER_ORDER = 4;

/** A published event whose sections all sell one seated ticket type. */
export async function createSeatedEvent(
  http: HttpClient,
  token: string,
  name: string,
  layout: BenchLayout,
): Promise<SeatedEvent> {
  const created = await http.send('POST', '/v1/events', {
    token,
    body: {
      name,
      venue: { name: 'Bench hall', latitude: 52.52, longitude: 13.405 },
      startsAt: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
      // The longest hold: nothing expires (and no expiry runner runs) during the bench.
      holdSeconds: 86_400,
      maxTicketsPerOrder: SEATED_MAX_PER_ORDER,
      // A seated type's capacity is its seat count, so none is sent.
      ticketTypes: [{ name: 'Seated', priceCents: 6_000 }],
      seating: {
        sections: layout.sections.map((section) => ({ ...section, ticketType: 'Seated' })),
      },
    },
  });
  expectStatus(created, 201, `create seated event ${name}`);
  const view = created.body as { id: string; ticketTypes: { id: string }[] };
  const published = await http.send('POST', `/v1/events/${view.id}/publish`, { token });
  expectStatus(published, 200, `publish ${name}`);
  return {
    eventId: view.id,
    ticketTypeId: (view.ticketTypes[0] as { id: string }).id,
    layout,
    capacity: seatCount(layout),
  };
}

/**
 * The available seats, read page by page as a client reads the map: anonymously (the
 * map is public) and only what it can buy. Each page is logged as a `map` request; a
 * page that is not a 200 ends the read with its answer.
 */
export async function availableSeats(
  http: HttpClient,
  log: RequestLog,
  eventId: string,
): Promise<{ seats: MapSeat[] } | { failed: string }> {
  const seats: MapSeat[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      status: 'AVAILABLE',
      limit: String(SEATING_LIMITS.seatsPerPage.max),
      ...(cursor !== null && { cursor }),
    });
    const page = await log.time('map', () =>
      http.send('GET', `/v1/events/${eventId}/seats?${query}`),
    );
    if (page.status !== 200) return { failed: `map page ${answerOf(page)}` };
    const body = page.body as { items: MapSeat[]; nextCursor: string | null };
    seats.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor !== null);
  return { seats };
}

/** POST /v1/events/{id}/orders with a body of one of the seated forms. */
export function holdSeated(
  http: HttpClient,
  log: RequestLog,
  eventId: string,
  token: string,
  body: { seatIds: string[] } | { bestAvailable: { ticketTypeId: string; quantity: number } },
  idempotencyKey: boolean,
): Promise<Reply> {
  return log.time('hold', () =>
    http.send('POST', `/v1/events/${eventId}/orders`, {
      token,
      body,
      ...(idempotencyKey && { headers: { 'idempotency-key': randomUUID() } }),
    }),
  );
}

/** A 201's order id and the seats it took, as the answer lists them. */
function heldSeats(reply: Reply): { orderId: string; seatIds: string[] } {
  const order = reply.body as { id: string; items: { seatIds?: string[] }[] };
  return { orderId: order.id, seatIds: order.items.flatMap((item) => item.seatIds ?? []) };
}

/**
 * What a buyer makes of a seated hold's answer: held (handed to `record`), sold out,
 * `retry` for the one 409 worth another try (`retryOn`), anything else as it came.
 */
export function holdOutcome(
  reply: Reply,
  retryOn: string,
  record: (seats: { orderId: string; seatIds: string[] }) => void,
): Answer | 'retry' {
  if (reply.status === 201) {
    record(heldSeats(reply));
    return { outcome: 'held' };
  }
  const answer = answerOf(reply);
  if (answer === '409 SOLD_OUT') return { outcome: 'soldOut', kind: answer };
  return answer === retryOn ? 'retry' : { outcome: 'other', kind: answer };
}
