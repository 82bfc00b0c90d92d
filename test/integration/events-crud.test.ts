import { describe, expect, it } from 'vitest';
import {
  createEvent,
  createPublishedEvent,
  createStartedDraft,
  readEventItems,
  readInventory,
  setOrderCount,
} from '../support/events-api.js';
import {
  adminContext,
  customerContext,
  eventBody,
  organizerContext,
} from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';

describe('POST /v1/events', () => {
  it('creates a DRAFT with server ids, defaults, and available = capacity', async () => {
    // Prepare
    const organizer = organizerContext();

    // Act
    const response = await invoke('POST', '/v1/events', {
      as: organizer,
      body: eventBody({
        name: 'Create Test',
        startsAt: '2030-06-01T21:30:00+02:00',
        ticketTypes: [
          { name: 'GA', priceCents: 5000, capacity: 100 },
          { name: 'VIP', priceCents: 15000, capacity: 10 },
        ],
      }),
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    const event = response.body;
    expect(event).toMatchObject({
      id: expect.any(String),
      organizerId: organizer.userId,
      name: 'Create Test',
      status: 'DRAFT',
      currency: 'USD',
      maxTicketsPerOrder: 10,
      holdSeconds: 600,
      startsAt: '2030-06-01T19:30:00.000Z',
      ticketTypes: [
        { id: expect.any(String), name: 'GA', priceCents: 5000, capacity: 100, available: 100 },
        { id: expect.any(String), name: 'VIP', priceCents: 15000, capacity: 10, available: 10 },
      ],
    });
    expect(event.ticketTypes[0].id).not.toBe(event.ticketTypes[1].id);
    expect(Date.parse(event.createdAt)).not.toBeNaN();
    expect(event.updatedAt).toBe(event.createdAt);

    // The stored inventory starts with nothing held or sold and no orders.
    const inventory = await readInventory(event.id);
    expect(inventory.orderCount).toBe(0);
    expect(inventory.ticketTypes[event.ticketTypes[0].id]).toMatchObject({
      capacity: 100,
      available: 100,
      held: 0,
      sold: 0,
    });

    const read = await invoke('GET', `/v1/events/${event.id}`, { as: organizer });
    expect(read.body).toEqual(event);
  });

  it('keeps explicit values for currency, maxTicketsPerOrder and holdSeconds', async () => {
    const event = await createEvent(organizerContext(), {
      currency: 'EUR',
      maxTicketsPerOrder: 4,
      holdSeconds: 120,
    });

    expect(event).toMatchObject({ currency: 'EUR', maxTicketsPerOrder: 4, holdSeconds: 120 });
  });

  it('writes nothing when validation fails', async () => {
    // Prepare
    const organizer = organizerContext();
    const invalidBodies = [
      eventBody({ status: 'PUBLISHED' }),
      eventBody({ ticketTypes: [{ name: 'GA', priceCents: 100, capacity: 0 }] }),
      eventBody({ ticketTypes: [] }),
      eventBody({
        ticketTypes: [
          { name: 'GA', priceCents: 100, capacity: 1 },
          { name: 'ga', priceCents: 100, capacity: 1 },
        ],
      }),
      eventBody({ startsAt: '2030-06-01T20:00:00Z', endsAt: '2030-06-01T20:00:00Z' }),
      eventBody({ startsAt: 'next friday' }),
    ];

    // Act
    for (const body of invalidBodies) {
      const response = await invoke('POST', '/v1/events', { as: organizer, body });
      expectProblem(response, 400, 'VALIDATION_FAILED');
    }
    const malformed = await invoke('POST', '/v1/events', { as: organizer, rawBody: '{"name":' });

    // Assess
    expectProblem(malformed, 400, 'VALIDATION_FAILED');
    const drafts = await invoke('GET', `/v1/events?status=DRAFT&organizerId=${organizer.userId}`, {
      as: organizer,
    });
    expect(drafts.status).toBe(200);
    expect(drafts.body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a startsAt in the past, even in year 0000, at body.startsAt, and writes nothing', async () => {
    // Prepare
    const organizer = organizerContext();
    const aMinuteAgo = new Date(Date.now() - 60_000).toISOString();

    // Act
    const responses = [];
    for (const startsAt of [aMinuteAgo, '0000-01-01T00:00:00Z']) {
      responses.push(
        await invoke('POST', '/v1/events', { as: organizer, body: eventBody({ startsAt }) }),
      );
    }

    // Assess
    for (const response of responses) {
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        { path: 'body.startsAt', message: 'must be in the future' },
      ]);
    }
    const drafts = await invoke('GET', `/v1/events?status=DRAFT&organizerId=${organizer.userId}`, {
      as: organizer,
    });
    expect(drafts.body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses control and bidirectional formatting characters in free text, and writes nothing', async () => {
    // Prepare
    const organizer = organizerContext();
    const bodies: [string, Record<string, unknown>][] = [
      ['body.name', eventBody({ name: 'Invoice \u202Efdp.exe' })],
      [
        'body.venue.city',
        eventBody({
          venue: { name: 'Hall', city: 'Ber\u0000lin', latitude: 52.5, longitude: 13.4 },
        }),
      ],
      ['body.description', eventBody({ description: 'Doors at 7\u2066pm' })],
      [
        'body.ticketTypes.0.name',
        eventBody({ ticketTypes: [{ name: 'G\u200BA', priceCents: 1, capacity: 1 }] }),
      ],
    ];

    // Act
    const refusals = [];
    for (const [path, body] of bodies) {
      refusals.push({
        path,
        response: await invoke('POST', '/v1/events', { as: organizer, body }),
      });
    }

    // Assess
    for (const { path, response } of refusals) {
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        {
          path,
          message: expect.stringContaining(
            'must not contain control, bidirectional or invisible formatting characters',
          ),
        },
      ]);
    }
    const drafts = await invoke('GET', `/v1/events?status=DRAFT&organizerId=${organizer.userId}`, {
      as: organizer,
    });
    expect(drafts.body).toEqual({ items: [], nextCursor: null });
  });
});

describe('GET /v1/events/{eventId}', () => {
  it('shows a draft only to its organizer and to admins', async () => {
    const organizer = organizerContext();
    const draft = await createEvent(organizer);

    const asOwner = await invoke('GET', `/v1/events/${draft.id}`, { as: organizer });
    const asAdmin = await invoke('GET', `/v1/events/${draft.id}`, { as: adminContext() });
    const asCustomer = await invoke('GET', `/v1/events/${draft.id}`, { as: customerContext() });
    const asOtherOrganizer = await invoke('GET', `/v1/events/${draft.id}`, {
      as: organizerContext(),
    });

    expect(asOwner.status).toBe(200);
    expect(asOwner.body.id).toBe(draft.id);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.id).toBe(draft.id);
    expectProblem(asCustomer, 404, 'NOT_FOUND');
    expectProblem(asOtherOrganizer, 404, 'NOT_FOUND');
  });

  it('shows a published event to everyone', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);

    for (const as of [organizer, adminContext(), customerContext(), organizerContext()]) {
      const response = await invoke('GET', `/v1/events/${event.id}`, { as });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: event.id, status: 'PUBLISHED' });
    }
  });

  it('answers an unknown id with a 404 NOT_FOUND problem', async () => {
    const response = await invoke('GET', '/v1/events/01NOSUCHEVENT000000000000', {
      as: adminContext(),
    });

    expectProblem(response, 404, 'NOT_FOUND');
    expect(response.body.type).toEqual(expect.any(String));
    expect(response.body.detail).toEqual(expect.any(String));
  });
});

describe('DELETE /v1/events/{eventId}', () => {
  it('deletes an event without orders: 204, then 404', async () => {
    const organizer = organizerContext();
    const event = await createEvent(organizer);

    const deleted = await invoke('DELETE', `/v1/events/${event.id}`, { as: organizer });
    const after = await invoke('GET', `/v1/events/${event.id}`, { as: organizer });
    const again = await invoke('DELETE', `/v1/events/${event.id}`, { as: organizer });

    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectProblem(after, 404, 'NOT_FOUND');
    expectProblem(again, 404, 'NOT_FOUND');
  });

  it('refuses to delete an event with orders: 409 EVENT_HAS_ORDERS, and the event stays', async () => {
    // Prepare
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    await setOrderCount(event.id, 1);

    // Act
    const response = await invoke('DELETE', `/v1/events/${event.id}`, { as: organizer });

    // Assess
    expectProblem(response, 409, 'EVENT_HAS_ORDERS');
    const still = await invoke('GET', `/v1/events/${event.id}`, { as: customerContext() });
    expect(still.status).toBe(200);
    expect(still.body).toEqual(event);
    expect((await readInventory(event.id)).orderCount).toBe(1);
  });

  it('lets an admin delete any event', async () => {
    const event = await createEvent(organizerContext());

    const response = await invoke('DELETE', `/v1/events/${event.id}`, { as: adminContext() });

    expect(response.status).toBe(204);
  });
});

describe('publish and cancel', () => {
  it('moves DRAFT → PUBLISHED → CANCELLED, and repeating either is a 200 no-op', async () => {
    const organizer = organizerContext();
    const event = await createEvent(organizer);

    const published = await invoke('POST', `/v1/events/${event.id}/publish`, { as: organizer });
    const publishedAgain = await invoke('POST', `/v1/events/${event.id}/publish`, {
      as: organizer,
    });
    const cancelled = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });
    const cancelledAgain = await invoke('POST', `/v1/events/${event.id}/cancel`, {
      as: organizer,
    });

    expect(published.status).toBe(200);
    expect(published.body.status).toBe('PUBLISHED');
    expect(publishedAgain.status).toBe(200);
    expect(publishedAgain.body).toEqual(published.body);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(cancelledAgain.status).toBe(200);
    expect(cancelledAgain.body).toEqual(cancelled.body);

    const read = await invoke('GET', `/v1/events/${event.id}`, { as: customerContext() });
    expect(read.body.status).toBe('CANCELLED');
  });

  it('refuses to publish a cancelled event: 409 EVENT_STATE_CONFLICT', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

    const response = await invoke('POST', `/v1/events/${event.id}/publish`, { as: organizer });

    expectProblem(response, 409, 'EVENT_STATE_CONFLICT');
    const read = await invoke('GET', `/v1/events/${event.id}`, { as: organizer });
    expect(read.body.status).toBe('CANCELLED');
  });

  it('refuses to publish a draft whose start has passed: 409, nothing written (control: before it)', async () => {
    const organizer = organizerContext();
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const late = await createStartedDraft(organizer, { startsAt });
    const before = await readEventItems(late.draft.id);

    const response = await invoke('POST', `/v1/events/${late.draft.id}/publish`, {
      as: organizer,
    });

    expectProblem(response, 409, 'EVENT_STATE_CONFLICT');
    expect(await readEventItems(late.draft.id)).toEqual(before);
    // Control: the same draft published while its start was still ahead.
    expect((await late.publish()).status).toBe('PUBLISHED');
  });

  it('refuses to change a cancelled event: PATCH → 409', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

    const response = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { name: 'Back from the dead' },
    });

    expectProblem(response, 409, 'EVENT_STATE_CONFLICT');
    const read = await invoke('GET', `/v1/events/${event.id}`, { as: organizer });
    expect(read.body.name).toBe(event.name);
  });
});

describe('ownership', () => {
  it("forbids a customer to PATCH, delete, publish or cancel someone else's published event", async () => {
    // Prepare
    const owner = organizerContext();
    const event = await createPublishedEvent(owner);
    const customer = customerContext();

    // Act
    const patch = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: customer,
      body: { name: 'Hijacked' },
    });
    const remove = await invoke('DELETE', `/v1/events/${event.id}`, { as: customer });
    const publish = await invoke('POST', `/v1/events/${event.id}/publish`, { as: customer });
    const cancel = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: customer });

    // Assess
    for (const response of [patch, remove, publish, cancel]) {
      expectProblem(response, 403, 'FORBIDDEN');
    }
    const read = await invoke('GET', `/v1/events/${event.id}`, { as: customer });
    expect(read.body).toEqual(event);
  });

  it("forbids another organizer to change someone else's published event", async () => {
    const event = await createPublishedEvent(organizerContext());
    const other = organizerContext();

    const patch = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: other,
      body: { name: 'Hijacked' },
    });
    const cancel = await invoke('POST', `/v1/events/${event.id}/cancel`, { as: other });

    expectProblem(patch, 403, 'FORBIDDEN');
    expectProblem(cancel, 403, 'FORBIDDEN');
  });

  it("answers another organizer acting on someone else's draft with 404, not 403", async () => {
    // Prepare
    const owner = organizerContext();
    const draft = await createEvent(owner);
    const other = organizerContext();

    // Act
    const patch = await invoke('PATCH', `/v1/events/${draft.id}`, {
      as: other,
      body: { name: 'Hijacked' },
    });
    const remove = await invoke('DELETE', `/v1/events/${draft.id}`, { as: other });
    const publish = await invoke('POST', `/v1/events/${draft.id}/publish`, { as: other });
    const cancel = await invoke('POST', `/v1/events/${draft.id}/cancel`, { as: other });

    // Assess
    for (const response of [patch, remove, publish, cancel]) {
      expectProblem(response, 404, 'NOT_FOUND');
    }
    const read = await invoke('GET', `/v1/events/${draft.id}`, { as: owner });
    expect(read.body).toEqual(draft);
  });

  it('lets an admin publish and change any event', async () => {
    const draft = await createEvent(organizerContext());
    const admin = adminContext();

    const published = await invoke('POST', `/v1/events/${draft.id}/publish`, { as: admin });
    const patched = await invoke('PATCH', `/v1/events/${draft.id}`, {
      as: admin,
      body: { name: 'Admin edit' },
    });

    expect(published.status).toBe(200);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Admin edit', status: 'PUBLISHED' });
  });
});
