import { describe, expect, it } from 'vitest';
import { EventStateConflict, ValidationFailed } from '../../shared/domain/errors.js';
import { applyUpdate } from '../../shared/domain/event-changes.js';
import { createEventSchema, type EventState, LIMITS } from '../../shared/domain/event-model.js';
import type { EventRepository } from '../../shared/domain/event-ports.js';
import { EventService } from '../../shared/domain/events.js';
import { type SeatView, seatMapPage, seatsQuerySchema } from '../../shared/domain/seat-map.js';
import {
  locateSeat,
  type Seating,
  type SeatingLayout,
  seatingFaults,
  seatingSchema,
} from '../../shared/domain/seating-model.js';
import {
  eventBody,
  eventState,
  principals,
  sequentialIds,
  ticketTypeState,
} from '../support/events-fixtures.js';

const NOW = '2030-01-01T12:00:00.000Z';

const section = (name: string, ticketType: string, ...seats: number[]) => ({
  name,
  ticketType,
  rows: seats.map((count, index) => ({ label: String.fromCharCode(65 + index), seats: count })),
});

function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

async function rejectionOf(act: () => Promise<unknown>): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject');
}

const pathsOf = (error: unknown) => {
  expect(error).toBeInstanceOf(ValidationFailed);
  return (error as ValidationFailed).errors?.map(({ path }) => path);
};

/** An EventService whose repository keeps what it is asked to insert. */
function creating() {
  const inserted: EventState[] = [];
  const repository = {
    insert: async (event: EventState) => {
      inserted.push(event);
    },
  } as unknown as EventRepository;
  const service = new EventService(repository, { now: () => new Date(NOW) }, sequentialIds());
  const create = (body: Record<string, unknown>) =>
    service.create(principals.organizer(), createEventSchema.parse(eventBody(body)));
  return { inserted, create };
}

describe('seatingSchema', () => {
  it.each([
    ['a row of 0 seats', [section('Stalls', 'GA', 0)], 'sections.0.rows.0.seats'],
    ['a row of 201 seats', [section('Stalls', 'GA', 201)], 'sections.0.rows.0.seats'],
    ['a section name with -', [section('Front-Stalls', 'GA', 10)], 'sections.0.name'],
    [
      'a row label with -',
      [{ name: 'Stalls', ticketType: 'GA', rows: [{ label: 'A-1', seats: 10 }] }],
      'sections.0.rows.0.label',
    ],
    ['a section without rows', [{ name: 'Stalls', ticketType: 'GA', rows: [] }], 'sections.0.rows'],
  ])('refuses %s at its path', (_, sections, path) => {
    const result = seatingSchema.safeParse({ sections });

    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([path]);
  });

  it('accepts rows of 1 and of 200 seats', () => {
    expect(seatingSchema.safeParse({ sections: [section('S_1', 'GA', 1, 200)] }).success).toBe(
      true,
    );
  });
});

describe('seatingFaults', () => {
  it('reports every fault at once, each at its path', () => {
    const seating: Seating = {
      sections: [
        section('Stalls', 'GA', 10, 10),
        { name: 'Balcony', ticketType: 'Nope', rows: [{ label: 'A', seats: 5 }] },
        {
          name: 'Stalls',
          ticketType: 'GA',
          rows: [
            { label: 'A', seats: 5 },
            { label: 'B', seats: 5 },
            { label: 'A', seats: 5 },
          ],
        },
      ],
    };

    expect(seatingFaults(seating, ['GA', 'VIP'])).toEqual([
      { path: 'body.seating.sections.1.ticketType', message: expect.stringContaining('Nope') },
      { path: 'body.seating.sections.2.name', message: expect.stringContaining('Stalls') },
      { path: 'body.seating.sections.2.rows.2.label', message: expect.stringContaining('"A"') },
    ]);
  });

  it('lets one ticket type serve several sections, and the same row label in two sections', () => {
    const seating = { sections: [section('Left', 'GA', 10), section('Right', 'GA', 10)] };

    expect(seatingFaults(seating, ['GA'])).toEqual([]);
  });

  it(`refuses more than ${LIMITS.seatsPerEvent} seats an event, and allows exactly that`, () => {
    const rows = (count: number) => Array.from({ length: count }, () => 200);
    const exactly = { sections: [section('Big', 'GA', ...rows(500))] };
    const over = { sections: [section('Big', 'GA', ...rows(500)), section('More', 'GA', 1)] };

    expect(seatingFaults(exactly, ['GA'])).toEqual([]);
    expect(seatingFaults(over, ['GA'])).toEqual([
      { path: 'body.seating', message: expect.stringContaining('100001') },
    ]);
  });

  it(`refuses more than ${LIMITS.rowsPerEvent} rows an event`, () => {
    const seating = {
      sections: Array.from({ length: 11 }, (_, index) =>
        section(`S${index}`, 'GA', ...Array.from({ length: 100 }, () => 1)),
      ),
    };

    expect(seatingFaults(seating, ['GA'])).toEqual([
      { path: 'body.seating', message: expect.stringContaining('1100') },
    ]);
  });
});

describe('creating a seated event', () => {
  const ticketTypes = [
    { name: 'GA', priceCents: 100, capacity: 50 },
    { name: 'Seated', priceCents: 500 },
  ];

  it("gives a seated type its seat count as capacity, summed over its sections, and stores the layout by the type's id", async () => {
    const { inserted, create } = creating();

    const view = await create({
      ticketTypes,
      seating: { sections: [section('Left', 'Seated', 10, 12), section('Right', 'Seated', 8)] },
    });

    const seated = view.ticketTypes.find(({ name }) => name === 'Seated');
    expect(seated).toMatchObject({ capacity: 30, available: 30 });
    expect(view.ticketTypes.find(({ name }) => name === 'GA')).toMatchObject({ capacity: 50 });
    expect(view.seating?.sections.map(({ ticketType }) => ticketType)).toEqual([
      'Seated',
      'Seated',
    ]);
    expect(inserted[0]?.seating?.sections.map(({ ticketTypeId }) => ticketTypeId)).toEqual([
      seated?.id,
      seated?.id,
    ]);
  });

  it('accepts a seated capacity equal to the seat count', async () => {
    const { create } = creating();

    const view = await create({
      ticketTypes: [{ name: 'Seated', priceCents: 500, capacity: 22 }],
      seating: { sections: [section('Left', 'Seated', 10, 12)] },
    });

    expect(view.ticketTypes[0]?.capacity).toBe(22);
  });

  it('refuses, all at once and writing nothing: a seated capacity other than the count, a type without seats or capacity, a layout naming no type', async () => {
    const { inserted, create } = creating();

    const error = await rejectionOf(() =>
      create({
        ticketTypes: [
          { name: 'GA', priceCents: 100 },
          { name: 'Seated', priceCents: 500, capacity: 23 },
        ],
        seating: { sections: [section('Left', 'Seated', 10, 12), section('Box', 'VIP', 4)] },
      }),
    );

    expect(pathsOf(error)).toEqual([
      'body.seating.sections.1.ticketType',
      'body.ticketTypes.0.capacity',
      'body.ticketTypes.1.capacity',
    ]);
    expect(inserted).toEqual([]);
  });

  it('still requires a capacity of every type of an event without seating', async () => {
    const { create } = creating();

    const error = await rejectionOf(() =>
      create({ ticketTypes: [{ name: 'GA', priceCents: 100 }] }),
    );

    expect(pathsOf(error)).toEqual(['body.ticketTypes.0.capacity']);
  });
});

describe('applyUpdate with seating', () => {
  const layout: SeatingLayout = {
    sections: [{ name: 'Stalls', ticketTypeId: 'tt-seat', rows: [{ label: 'A', seats: 10 }] }],
  };
  const seatedEvent = (overrides: Partial<EventState> = {}) =>
    eventState({
      ticketTypes: [
        ticketTypeState(),
        ticketTypeState({
          id: 'tt-seat',
          name: 'Seat',
          capacity: 10,
          available: 10,
          position: 1,
        }),
      ],
      seating: layout,
      ...overrides,
    });

  it("replaces a draft's layout and moves the seated capacities with it", () => {
    const next = applyUpdate(
      seatedEvent(),
      { seating: { sections: [section('Stalls', 'Seat', 20, 20), section('Box', 'GA', 4)] } },
      sequentialIds(),
      NOW,
    );

    expect(
      next.ticketTypes.map(({ id, capacity, available }) => [id, capacity, available]),
    ).toEqual([
      ['tt-ga', 4, 4],
      ['tt-seat', 40, 40],
    ]);
    expect(next.seating?.sections.map(({ ticketTypeId }) => ticketTypeId)).toEqual([
      'tt-seat',
      'tt-ga',
    ]);
  });

  it('resolves a new layout against the names the same PATCH gives, new types included', () => {
    const next = applyUpdate(
      seatedEvent(),
      {
        ticketTypes: [
          { id: 'tt-seat', name: 'Chair' },
          { name: 'Box', priceCents: 900 },
        ],
        seating: { sections: [section('Stalls', 'Chair', 5), section('Boxes', 'Box', 2)] },
      },
      sequentialIds('new-'),
      NOW,
    );

    expect(next.ticketTypes.map(({ name, capacity }) => [name, capacity])).toEqual([
      ['GA', 100],
      ['Chair', 5],
      ['Box', 2],
    ]);
  });

  it('keeps a renamed seated type on its seats', () => {
    const next = applyUpdate(
      seatedEvent(),
      { ticketTypes: [{ id: 'tt-seat', name: 'Chair' }] },
      sequentialIds(),
      NOW,
    );

    expect(next.seating).toEqual(layout);
  });

  it("refuses to set a seated type's capacity by hand (400 at its path), even on a published event", () => {
    for (const status of ['DRAFT', 'PUBLISHED'] as const) {
      const error = thrownBy(() =>
        applyUpdate(
          seatedEvent({ status }),
          {
            ticketTypes: [
              { id: 'tt-ga', capacity: 5 },
              { id: 'tt-seat', capacity: 10 },
            ],
          },
          sequentialIds(),
          NOW,
        ),
      );

      expect(pathsOf(error)).toEqual(['body.ticketTypes.1.capacity']);
    }
  });

  it('refuses a layout naming an unknown type at its path', () => {
    const error = thrownBy(() =>
      applyUpdate(
        seatedEvent(),
        { seating: { sections: [section('Stalls', 'Nope', 5)] } },
        sequentialIds(),
        NOW,
      ),
    );

    expect(pathsOf(error)).toEqual(['body.seating.sections.0.ticketType']);
  });

  it.each(['PUBLISHED', 'CANCELLED'] as const)(
    'refuses a new layout on a %s event with 409 EVENT_STATE_CONFLICT',
    (status) => {
      const error = thrownBy(() =>
        applyUpdate(
          seatedEvent({ status }),
          { seating: { sections: [section('Stalls', 'Seat', 5)] } },
          sequentialIds(),
          NOW,
        ),
      );

      expect(error).toBeInstanceOf(EventStateConflict);
    },
  );
});

describe('seatMapPage', () => {
  const layout: SeatingLayout = {
    sections: [
      {
        name: 'Stalls',
        ticketTypeId: 'tt-1',
        rows: [
          { label: 'A', seats: 3 },
          { label: 'B', seats: 2 },
        ],
      },
      { name: 'Box', ticketTypeId: 'tt-2', rows: [{ label: '1', seats: 2 }] },
    ],
  };
  const query = (raw: Record<string, unknown> = {}) => seatsQuerySchema.parse(raw);
  const ids = (items: SeatView[]) => items.map(({ id }) => id);

  it('lists every seat in layout order, all AVAILABLE with its ticket type', () => {
    const page = seatMapPage(layout, [], query());

    expect(ids(page.items)).toEqual([
      'Stalls-A-1',
      'Stalls-A-2',
      'Stalls-A-3',
      'Stalls-B-1',
      'Stalls-B-2',
      'Box-1-1',
      'Box-1-2',
    ]);
    expect(page.items[5]).toEqual({
      id: 'Box-1-1',
      section: 'Box',
      row: '1',
      number: 1,
      ticketTypeId: 'tt-2',
      status: 'AVAILABLE',
    });
    expect(page.nextCursor).toBeNull();
  });

  it('pages through the whole map with its cursors, across rows and sections', () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = seatMapPage(layout, [], query({ limit: '2', ...(cursor && { cursor }) }));
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    expect(pages).toBe(4);
    expect(seen).toEqual(ids(seatMapPage(layout, [], query()).items));
  });

  it('filters by section (an unknown one is an empty page) and by status', () => {
    expect(ids(seatMapPage(layout, [], query({ section: 'Box' })).items)).toEqual([
      'Box-1-1',
      'Box-1-2',
    ]);
    expect(seatMapPage(layout, [], query({ section: 'Gallery' }))).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(seatMapPage(layout, [], query({ status: 'HELD' })).items).toEqual([]);
  });

  it('lays the taken seats over the layout', () => {
    const taken = [
      { id: 'Stalls-A-2', status: 'HELD' as const },
      { id: 'Box-1-1', status: 'SOLD' as const },
    ];

    expect(seatMapPage(layout, taken, query({ status: 'AVAILABLE' })).items).toHaveLength(5);
    expect(seatMapPage(layout, taken, query({ status: 'SOLD' })).items).toMatchObject([
      { id: 'Box-1-1', status: 'SOLD' },
    ]);
  });

  it('pages a section of its own', () => {
    const first = seatMapPage(layout, [], query({ section: 'Stalls', limit: '4' }));
    const second = seatMapPage(
      layout,
      [],
      query({ section: 'Stalls', limit: '4', cursor: first.nextCursor }),
    );

    expect(ids(first.items)).toHaveLength(4);
    expect(ids(second.items)).toEqual(['Stalls-B-2']);
    expect(second.nextCursor).toBeNull();
  });

  it('answers an event without seating with an empty page', () => {
    expect(seatMapPage(undefined, [], query())).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a forged cursor, or one of another query, with 400 at query.cursor', () => {
    const { nextCursor } = seatMapPage(layout, [], query({ limit: '2' }));
    const forged = (content: unknown) => Buffer.from(JSON.stringify(content)).toString('base64url');
    const cursors = [
      'not-a-cursor',
      forged({ at: 7, section: null, status: null }),
      forged({ at: -1, section: null, status: null }),
      forged({ at: 1.5, section: null, status: null }),
      forged({ at: 2, section: null, status: null, extra: 1 }),
      forged(null),
    ];

    for (const cursor of cursors) {
      expect(pathsOf(thrownBy(() => seatMapPage(layout, [], query({ cursor }))))).toEqual([
        'query.cursor',
      ]);
    }
    expect(
      pathsOf(
        thrownBy(() => seatMapPage(layout, [], query({ status: 'AVAILABLE', cursor: nextCursor }))),
      ),
    ).toEqual(['query.cursor']);
  });
});

describe('locateSeat', () => {
  const layout = {
    sections: [
      { name: 'Main', ticketTypeId: 'tt-stalls', rows: [{ label: 'A', seats: 12 }] },
      { name: 'Box_1', ticketTypeId: 'tt-box', rows: [{ label: '2', seats: 4 }] },
    ],
  };

  it('finds a seat of the layout with its section, row, number and ticket type', () => {
    expect(locateSeat(layout, 'Main-A-12')).toEqual({
      id: 'Main-A-12',
      section: 'Main',
      row: 'A',
      number: 12,
      ticketTypeId: 'tt-stalls',
    });
    expect(locateSeat(layout, 'Box_1-2-1')?.ticketTypeId).toBe('tt-box');
  });

  it.each([
    'Main-A-13',
    'Main-A-0',
    'Main-A-01',
    'Main-B-1',
    'Gallery-A-1',
    'Main-A',
    'Main-A-1-2',
    'Main-A-1.5',
    'main-A-1',
    '',
  ])('finds no seat for %j', (id) => {
    expect(locateSeat(layout, id)).toBeNull();
  });

  it('finds nothing on an event without a layout', () => {
    expect(locateSeat(undefined, 'Main-A-1')).toBeNull();
  });
});
