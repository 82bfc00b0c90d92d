import { describe, expect, it } from 'vitest';
import { customerContext, organizerContext } from '../support/events-fixtures.js';
import { invoke } from '../support/invoke.js';

describe('events smoke', () => {
  it('creates, publishes, lists and gets an event', async () => {
    const organizer = organizerContext();
    const created = await invoke('POST', '/v1/events', {
      as: organizer,
      body: {
        name: 'Smoke Concert',
        venue: { name: 'Hall', latitude: 52.5, longitude: 13.4 },
        startsAt: '2030-01-01T20:00:00Z',
        ticketTypes: [{ name: 'GA', priceCents: 5000, capacity: 100 }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('DRAFT');
    const id = created.body.id;
    const published = await invoke('POST', `/v1/events/${id}/publish`, { as: organizer });
    expect(published.body.status).toBe('PUBLISHED');
    // Browsing needs no identity; a customer sees the same.
    const list = await invoke('GET', '/v1/events?q=smoke');
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(id);
    const got = await invoke('GET', `/v1/events/${id}`, { as: customerContext() });
    expect(got.body.ticketTypes[0].available).toBe(100);
  });
});
