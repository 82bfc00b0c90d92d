/** The API calls the bench makes as the organizer and as a buyer. */
import { randomUUID } from 'node:crypto';
import { expectStatus, type HttpClient, type Reply } from './http.js';
import type { Answer } from './measure.js';

export interface BenchEvent {
  eventId: string;
  ticketTypeId: string;
}

/** A published event with one ticket type of `capacity`. */
export async function createEvent(
  http: HttpClient,
  token: string,
  name: string,
  capacity: number,
): Promise<BenchEvent> {
  const created = await http.send('POST', '/v1/events', {
    token,
    body: {
      name,
      venue: { name: 'Bench arena', latitude: 52.52, longitude: 13.405 },
      startsAt: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
      // The longest hold: nothing expires (and no expiry runner runs) during the bench.
      holdSeconds: 86_400,
      ticketTypes: [{ name: 'General admission', priceCents: 5_000, capacity }],
    },
  });
  expectStatus(created, 201, `create event ${name}`);
  const view = created.body as { id: string; ticketTypes: { id: string }[] };
  const eventId = view.id;
  const published = await http.send('POST', `/v1/events/${eventId}/publish`, { token });
  expectStatus(published, 200, `publish ${name}`);
  return { eventId, ticketTypeId: (view.ticketTypes[0] as { id: string }).id };
}

/** POST /v1/events/{id}/orders for one ticket. */
export function holdRequest(
  http: HttpClient,
  event: BenchEvent,
  token: string,
  idempotencyKey: boolean,
): Promise<Reply> {
  return http.send('POST', `/v1/events/${event.eventId}/orders`, {
    token,
    body: { items: [{ ticketTypeId: event.ticketTypeId, quantity: 1 }] },
    ...(idempotencyKey && { headers: { 'idempotency-key': randomUUID() } }),
  });
}

export function classifyHold(reply: Reply): Answer {
  if (reply.status === 201) return { outcome: 'held' };
  const code =
    typeof reply.body === 'object' && reply.body !== null
      ? (reply.body as { code?: string }).code
      : undefined;
  if (reply.status === 409 && code === 'SOLD_OUT') return { outcome: 'soldOut' };
  return { outcome: 'other', kind: `${reply.status} ${code ?? ''}`.trim() };
}
