import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createEvent,
  createPublishedEvent,
  documentClient,
  readEventItems,
  readInventory,
} from '../support/events-api.js';
import { customerContext, eventBody, organizerContext } from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';

const rowsOf = (...seats: number[]) =>
  seats.map((count, index) => ({ label: `R${index + 1}`, seats: count }));

const seatedBody = () =>
  eventBody({
    ticketTypes: [
      { name: 'GA', priceCents: 2000, capacity: 300 },
      { name: 'Stalls', priceCents: 6000 },
      { name: 'Box', priceCents: 15000, capacity: 8 },
    ],
    seating: {
      sections: [
        { name: 'Left', ticketType: 'Stalls', rows: rowsOf(20, 20) },
        { name: 'Right', ticketType: 'Stalls', rows: rowsOf(10) },
        { name: 'Box_1', ticketType: 'Box', rows: rowsOf(4, 4) },
      ],
    },
  });

const capacities = (event: { ticketTypes: { name: string; capacity: number }[] }) =>
  Object.fromEntries(event.ticketTypes.map(({ name, capacity }) => [name, capacity]));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('events with reserved seating', () => {
  it('creates a seated event: seated capacities are seat counts, and GET shows the layout', async () => {
    // Prepare
    const organizer = organizerContext();

    // Act
    const created = await createEvent(organizer, seatedBody());
    const read = await invoke('GET', `/v1/events/${created.id}`, { as: organizer });

    // Assess
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    expect(capacities(read.body)).toEqual({ GA: 300, Stalls: 50, Box: 8 });
    expect(read.body.seating).toEqual(seatedBody().seating);
    const stalls = read.body.ticketTypes.find(({ name }: { name: string }) => name === 'Stalls');
    const inventory = await readInventory(created.id);
    expect(inventory.ticketTypes[stalls.id]).toMatchObject({ capacity: 50, available: 50 });
  });

  it('refuses a bad layout with a path per fault, and writes nothing', async () => {
    // Prepare
    const organizer = organizerContext();
    const body = eventBody({
      ticketTypes: [{ name: 'Stalls', priceCents: 6000, capacity: 3 }],
      seating: {
        sections: [
          { name: 'Left', ticketType: 'Stalls', rows: [...rowsOf(2), ...rowsOf(2)] },
          { name: 'Left', ticketType: 'Nope', rows: rowsOf(1) },
        ],
      },
    });

    // Act
    const response = await invoke('POST', '/v1/events', { as: organizer, body });

    // Assess
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors.map(({ path }: { path: string }) => path)).toEqual([
      'body.seating.sections.0.rows.1.label',
      'body.seating.sections.1.name',
      'body.seating.sections.1.ticketType',
      'body.ticketTypes.0.capacity',
    ]);
    const drafts = await invoke('GET', `/v1/events?status=DRAFT&organizerId=${organizer.userId}`, {
      as: organizer,
    });
    expect(drafts.body).toEqual({ items: [], nextCursor: null });
  });

  it("changes a draft's layout by PATCH, the seated capacities with it", async () => {
    // Prepare
    const organizer = organizerContext();
    const created = await createEvent(organizer, seatedBody());
    const seating = {
      sections: [
        { name: 'Left', ticketType: 'Stalls', rows: rowsOf(30, 30, 30) },
        { name: 'Box_1', ticketType: 'Box', rows: rowsOf(6) },
      ],
    };

    // Act
    const patched = await invoke('PATCH', `/v1/events/${created.id}`, {
      as: organizer,
      body: { seating },
    });

    // Assess
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const read = await invoke('GET', `/v1/events/${created.id}`, { as: organizer });
    expect(read.body.seating).toEqual(seating);
    expect(capacities(read.body)).toEqual({ GA: 300, Stalls: 90, Box: 6 });
    const seats = await invoke('GET', `/v1/events/${created.id}/seats?section=Box_1`, {
      as: organizer,
    });
    expect(seats.body.items.map(({ id }: { id: string }) => id)).toEqual(
      Array.from({ length: 6 }, (_, index) => `Box_1-R1-${index + 1}`),
    );
  });

  it("refuses to change a published event's layout (409) or a seated capacity (400), and changes nothing", async () => {
    // Prepare
    const organizer = organizerContext();
    const published = await createPublishedEvent(organizer, seatedBody());
    const stalls = published.ticketTypes.find(({ name }: { name: string }) => name === 'Stalls');
    const before = await readEventItems(published.id);

    // Act
    const layout = await invoke('PATCH', `/v1/events/${published.id}`, {
      as: organizer,
      body: { seating: { sections: [{ name: 'Left', ticketType: 'Stalls', rows: rowsOf(5) }] } },
    });
    const capacity = await invoke('PATCH', `/v1/events/${published.id}`, {
      as: organizer,
      body: { ticketTypes: [{ id: stalls.id, capacity: 60 }] },
    });

    // Assess
    expectProblem(layout, 409, 'EVENT_STATE_CONFLICT');
    expectProblem(capacity, 400, 'VALIDATION_FAILED');
    expect(capacity.body.errors).toEqual([
      { path: 'body.ticketTypes.0.capacity', message: expect.any(String) },
    ]);
    expect(await readEventItems(published.id)).toEqual(before);
  });

  it('refuses a hold by count of a seated type at its item, and takes nothing', async () => {
    // Prepare
    const published = await createPublishedEvent(organizerContext(), seatedBody());
    const idOf = (name: string) =>
      published.ticketTypes.find((type: { name: string }) => type.name === name).id;

    // Act
    const response = await invoke('POST', `/v1/events/${published.id}/orders`, {
      as: customerContext(),
      body: {
        items: [
          { ticketTypeId: idOf('GA'), quantity: 1 },
          { ticketTypeId: idOf('Stalls'), quantity: 2 },
        ],
      },
    });

    // Assess
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      {
        path: 'body.items.1.ticketTypeId',
        message: 'this ticket type is seated: hold by seatIds or bestAvailable',
      },
    ]);
    const inventory = await readInventory(published.id);
    expect(inventory.orderCount).toBe(0);
    expect(inventory.ticketTypes[idOf('GA')]).toMatchObject({ available: 300, held: 0 });
  });
});

describe('growing a published layout', () => {
  it('adds rows and a section: capacity and stock grow, the new seats are AVAILABLE and can be held', async () => {
    // Prepare
    const organizer = organizerContext();
    const published = await createPublishedEvent(organizer, seatedBody());
    const held = await invoke('POST', `/v1/events/${published.id}/orders`, {
      as: customerContext(),
      body: { seatIds: ['Left-R1-1', 'Left-R1-2'] },
    });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    const grown = {
      sections: [
        // A new front row, then the old rows in their order, then a new back row.
        {
          name: 'Left',
          ticketType: 'Stalls',
          rows: [{ label: 'R0', seats: 5 }, ...rowsOf(20, 20), { label: 'R3', seats: 5 }],
        },
        { name: 'Right', ticketType: 'Stalls', rows: rowsOf(10) },
        { name: 'Box_1', ticketType: 'Box', rows: rowsOf(4, 4) },
        { name: 'Gallery', ticketType: 'Stalls', rows: rowsOf(6) },
      ],
    };

    // Act
    const response = await invoke('PATCH', `/v1/events/${published.id}`, {
      as: organizer,
      body: { seating: grown },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.seating).toEqual(grown);
    expect(capacities(response.body)).toEqual({ GA: 300, Stalls: 66, Box: 8 });
    const stalls = response.body.ticketTypes.find(
      ({ name }: { name: string }) => name === 'Stalls',
    );
    expect(stalls.available).toBe(64);
    const inventory = await readInventory(published.id);
    expect(inventory.ticketTypes[stalls.id]).toMatchObject({
      capacity: 66,
      available: 64,
      held: 2,
    });
    const gallery = await invoke('GET', `/v1/events/${published.id}/seats?section=Gallery`, {
      as: customerContext(),
    });
    expect(gallery.body.items.map((seat: { status: string }) => seat.status)).toEqual(
      Array(6).fill('AVAILABLE'),
    );
    const onNewRow = await invoke('POST', `/v1/events/${published.id}/orders`, {
      as: customerContext(),
      body: { seatIds: ['Left-R0-1', 'Gallery-R1-6'] },
    });
    expect(onNewRow.status, JSON.stringify(onNewRow.body)).toBe(201);
  });

  it('refuses to remove, resize or reorder rows, or to seat a type sold by count (409), and changes nothing', async () => {
    // Prepare
    const organizer = organizerContext();
    const published = await createPublishedEvent(organizer, seatedBody());
    const before = await readEventItems(published.id);
    const layouts = {
      removed: [
        { name: 'Left', ticketType: 'Stalls', rows: rowsOf(20) },
        { name: 'Right', ticketType: 'Stalls', rows: rowsOf(10) },
        { name: 'Box_1', ticketType: 'Box', rows: rowsOf(4, 4) },
      ],
      resized: [
        { name: 'Left', ticketType: 'Stalls', rows: rowsOf(20, 21) },
        { name: 'Right', ticketType: 'Stalls', rows: rowsOf(10) },
        { name: 'Box_1', ticketType: 'Box', rows: rowsOf(4, 4) },
      ],
      reordered: [
        { name: 'Left', ticketType: 'Stalls', rows: [...rowsOf(20, 20)].reverse() },
        { name: 'Right', ticketType: 'Stalls', rows: rowsOf(10) },
        { name: 'Box_1', ticketType: 'Box', rows: rowsOf(4, 4) },
      ],
      gaSeated: [
        { name: 'Left', ticketType: 'Stalls', rows: rowsOf(20, 20) },
        { name: 'Right', ticketType: 'Stalls', rows: rowsOf(10) },
        { name: 'Box_1', ticketType: 'Box', rows: rowsOf(4, 4) },
        { name: 'Floor', ticketType: 'GA', rows: rowsOf(10) },
      ],
    };

    for (const [name, sections] of Object.entries(layouts)) {
      // Act
      const response = await invoke('PATCH', `/v1/events/${published.id}`, {
        as: organizer,
        body: { seating: { sections } },
      });

      // Assess
      expectProblem(response, 409, 'EVENT_STATE_CONFLICT');
      expect(response.body.detail, name).toMatch(/only gain rows and sections/);
    }
    expect(await readEventItems(published.id)).toEqual(before);
  });
});

describe('GET /v1/events/{eventId}/seats', () => {
  it('pages through a 20,000-seat venue in layout order: a page reads the event and each section once', async () => {
    // Prepare: two sections of 50 rows of 200
    const sections = ['Lower', 'Upper'].map((name) => ({
      name,
      ticketType: 'Seat',
      rows: Array.from({ length: 50 }, (_, index) => ({ label: `R${index + 1}`, seats: 200 })),
    }));
    const published = await createPublishedEvent(
      organizerContext(),
      eventBody({
        ticketTypes: [{ name: 'Seat', priceCents: 5000 }],
        seating: { sections },
      }),
    );
    const send = vi.spyOn(documentClient, 'send');

    // Act
    const seen: { id: string; ticketTypeId: string; status: string }[] = [];
    const callsPerPage: number[] = [];
    let cursor: string | null = null;
    do {
      send.mockClear();
      const query = new URLSearchParams({ limit: '1000', ...(cursor && { cursor }) });
      const page = await invoke('GET', `/v1/events/${published.id}/seats?${query}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      callsPerPage.push(send.mock.calls.length);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);

    // Assess
    expect(published.ticketTypes[0].capacity).toBe(20_000);
    // The caller's rate-limit count and one Query of taken seats per section on every
    // page; the event's two items in one BatchGet on the first, then only once the memo's
    // window has passed (README "Hot reads").
    expect(callsPerPage[0]).toBe(2 + sections.length);
    expect(callsPerPage).toHaveLength(20);
    for (const calls of callsPerPage)
      expect([1, 2].map((n) => n + sections.length)).toContain(calls);
    expect(seen).toHaveLength(20_000);
    expect(new Set(seen.map(({ id }) => id)).size).toBe(20_000);
    expect(seen[0]?.id).toBe('Lower-R1-1');
    expect(seen[200]?.id).toBe('Lower-R2-1');
    expect(seen[10_000]?.id).toBe('Upper-R1-1');
    expect(seen.at(-1)?.id).toBe('Upper-R50-200');
    expect(
      seen.every(
        (seat) => seat.status === 'AVAILABLE' && seat.ticketTypeId === published.ticketTypes[0].id,
      ),
    ).toBe(true);
  });

  it('answers an unknown section with an empty page, and a forged cursor with 400', async () => {
    const published = await createPublishedEvent(organizerContext(), seatedBody());

    const unknown = await invoke('GET', `/v1/events/${published.id}/seats?section=Gallery`);
    const forged = await invoke('GET', `/v1/events/${published.id}/seats?cursor=eyJhdCI6OTl9`);

    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ items: [], nextCursor: null });
    expectProblem(forged, 400, 'VALIDATION_FAILED');
    expect(forged.body.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  });
});
