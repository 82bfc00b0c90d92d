import { GetCommand } from '@aws-sdk/lib-dynamodb';
import ngeohash from 'ngeohash';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { coverCircle } from '../../shared/db/geo-cells.js';
import { eventKeys, table } from '../../shared/db/table.js';
import { EventService } from '../../shared/domain/events.js';
import { distanceMetres, type GeoPoint } from '../../shared/domain/geo.js';
import type { Principal } from '../../shared/domain/principal.js';
import type { AuthorizerContext } from '../../shared/http/principal.js';
import {
  createEvent,
  createPublishedEvent,
  createStartedEvent,
  documentClient,
  tableName,
} from '../support/events-api.js';
import {
  adminContext,
  customerContext,
  organizerContext,
  principals,
  uniqueToken,
} from '../support/events-fixtures.js';
import { uniqueEmail } from '../support/http-api.js';
import { expectProblem, invoke } from '../support/invoke.js';
import { ManualClock } from '../support/orders-api.js';

/*
 * Radius searches through the real handlers. List tests isolate themselves with a name
 * token (`q`); relevant-events tests, which cannot filter by name, each use a spot on
 * the map no other test uses.
 */

const FUTURE = '2031-05-01T18:00:00.000Z';
const ids = (items: { id: string }[]) => items.map(({ id }) => id);
const at = (latitude: number, longitude: number): GeoPoint => ({ latitude, longitude });

async function publishedAt(
  organizer: AuthorizerContext,
  place: GeoPoint,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  return createPublishedEvent(organizer, {
    venue: { name: 'Venue', ...place },
    startsAt: FUTURE,
    ...overrides,
  });
}

const km = (from: GeoPoint, to: GeoPoint) => distanceMetres(from, to) / 1000;

const { nearby, due } = table.globalSecondaryIndexes;
const INDEX_KEYS = [nearby.partitionKey, nearby.sortKey, due.partitionKey, due.sortKey];

/** The nearby-index keys and their due-index entry on the event's META item. */
async function nearbyKeysOf(eventId: string): Promise<Record<string, unknown>> {
  const { Item: meta } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: eventKeys.meta(eventId), ConsistentRead: true }),
  );
  if (!meta) throw new Error(`no META item for ${eventId}`);
  return Object.fromEntries(INDEX_KEYS.filter((key) => key in meta).map((key) => [key, meta[key]]));
}

function expectedNearbyKeys(eventId: string, place: GeoPoint, startsAt: string) {
  const geohash = eventKeys.nearbyGeohash(place);
  return {
    [nearby.partitionKey]: eventKeys.nearbyPartition(geohash),
    [nearby.sortKey]: eventKeys.nearbySort(geohash, eventId),
    [due.partitionKey]: eventKeys.nearbyUntilPartition,
    [due.sortKey]: `${startsAt}#${eventId}`,
  };
}

/** Follows nextCursor to the end; returns every page. */
async function walk(url: string, as: AuthorizerContext): Promise<any[][]> {
  const pages: any[][] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const response = await invoke(
      'GET',
      `${url}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { as },
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    pages.push(response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return pages;
  }
  throw new Error('paging did not end');
}

describe('GET /v1/events?near=', () => {
  it('lists published events within radiusKm (default 50), nearest first, with distanceKm', async () => {
    // Prepare: around Lisbon, made in no particular order
    const organizer = organizerContext();
    const token = uniqueToken('near');
    const centre = at(38.7223, -9.1393);
    const places = {
      twelveKm: at(38.8303, -9.1393),
      oneKm: at(38.7313, -9.1393),
      fortyKm: at(39.0823, -9.1393),
      eightyKm: at(39.4423, -9.1393),
    };
    const events = Object.fromEntries(
      await Promise.all(
        Object.entries(places).map(async ([key, place]) => [
          key,
          await publishedAt(organizer, place, { name: `${token} ${key}` }),
        ]),
      ),
    );
    const as = customerContext();

    // Act
    const byDefault = await invoke('GET', `/v1/events?q=${token}&near=38.7223,-9.1393`, { as });
    const wider = await invoke(
      'GET',
      `/v1/events?q=${token}&near=${encodeURIComponent(' 38.7223 , -9.1393 ')}&radiusKm=100`,
      { as },
    );

    // Assess
    expect(byDefault.status).toBe(200);
    expect(ids(byDefault.body.items)).toEqual([
      events.oneKm.id,
      events.twelveKm.id,
      events.fortyKm.id,
    ]);
    expect(byDefault.body.nextCursor).toBeNull();
    expect(ids(wider.body.items)).toEqual([
      events.oneKm.id,
      events.twelveKm.id,
      events.fortyKm.id,
      events.eightyKm.id,
    ]);
    const [first] = byDefault.body.items;
    expect(first).toEqual({ ...events.oneKm, distanceKm: km(centre, places.oneKm) });
    // 0.1° of latitude is ~11.1 km; distances are to the metre, so at most 3 decimals.
    expect(byDefault.body.items.map((item: any) => item.distanceKm)).toEqual([
      expect.closeTo(1.0, 0),
      expect.closeTo(12.0, 0),
      expect.closeTo(40.1, 0),
    ]);
    for (const item of wider.body.items) {
      expect(Math.round(item.distanceKm * 1000)).toBeCloseTo(item.distanceKm * 1000, 6);
    }
  });

  it('breaks distance ties by id', async () => {
    const organizer = organizerContext();
    const token = uniqueToken('tie');
    const place = at(41.3874, 2.1686);
    const created = [];
    for (let index = 0; index < 3; index++) {
      created.push(await publishedAt(organizer, place, { name: `${token} ${index}` }));
    }

    const response = await invoke('GET', `/v1/events?q=${token}&near=41.3874,2.1686`, {
      as: customerContext(),
    });

    expect(ids(response.body.items)).toEqual(ids(created).sort());
    expect(response.body.items.map((item: any) => item.distanceKm)).toEqual([0, 0, 0]);
  });

  it('finds events across cell and partition edges, not only in the centre cell (control)', async () => {
    // Prepare: (45, 11.25) is a corner of four index partitions (precision-2 cells).
    const organizer = organizerContext();
    const token = uniqueToken('edge');
    const centre = at(45.0005, 11.2505);
    const corners = [
      at(44.999, 11.249),
      at(44.999, 11.252),
      at(45.002, 11.249),
      at(45.002, 11.252),
    ];
    const created = await Promise.all(
      corners.map((place, index) => publishedAt(organizer, place, { name: `${token} ${index}` })),
    );

    // Act
    const response = await invoke('GET', `/v1/events?q=${token}&near=45.0005,11.2505&radiusKm=1`, {
      as: customerContext(),
    });

    // Assess
    expect(new Set(ids(response.body.items))).toEqual(new Set(ids(created)));
    const distances = response.body.items.map((item: any) => item.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    // Control: the centre's own cell, at the precision the search used, holds only one of
    // them, and they lie in four different partitions.
    const { precision } = coverCircle(centre, 1000);
    const centreCell = ngeohash.encode(centre.latitude, centre.longitude, precision);
    const inCentreCell = corners.filter((place) =>
      eventKeys.nearbyGeohash(place).startsWith(centreCell),
    );
    expect(inCentreCell.length).toBeLessThanOrEqual(1);
    const partitions = corners.map((place) =>
      eventKeys.nearbyPartition(eventKeys.nearbyGeohash(place)),
    );
    expect(new Set(partitions).size).toBe(4);
  });

  it('reaches across the antimeridian (Fiji), from either side', async () => {
    // Prepare
    const organizer = organizerContext();
    const token = uniqueToken('fiji');
    const east = await publishedAt(organizer, at(-17.8, 179.95), { name: `${token} east` });
    const west = await publishedAt(organizer, at(-17.8, -179.95), { name: `${token} west` });
    const farWest = await publishedAt(organizer, at(-17.8, -179.7), { name: `${token} far` });
    const outside = await publishedAt(organizer, at(-17.8, 179.0), { name: `${token} out` });
    const as = customerContext();

    // Act
    const fromEast = await invoke('GET', `/v1/events?q=${token}&near=-17.8,179.9&radiusKm=50`, {
      as,
    });
    const fromWest = await invoke('GET', `/v1/events?q=${token}&near=-17.8,-179.9&radiusKm=50`, {
      as,
    });

    // Assess
    expect(ids(fromEast.body.items)).toEqual([east.id, west.id, farWest.id]);
    expect(ids(fromWest.body.items)).toEqual([west.id, east.id, farWest.id]);
    expect(ids(fromEast.body.items)).not.toContain(outside.id);
    expect(fromEast.body.items[1].distanceKm).toBe(km(at(-17.8, 179.9), at(-17.8, -179.95)));
    expect(fromEast.body.items[1].distanceKm).toBeCloseTo(15.9, 0);
  });

  it('reaches across a pole to every longitude', async () => {
    const organizer = organizerContext();
    const token = uniqueToken('pole');
    const sameSide = await publishedAt(organizer, at(89.9, 0), { name: `${token} same` });
    const otherSide = await publishedAt(organizer, at(89.9, 180), { name: `${token} other` });
    const quarter = await publishedAt(organizer, at(89.95, -90), { name: `${token} quarter` });
    await publishedAt(organizer, at(88.9, 180), { name: `${token} out` });

    const response = await invoke('GET', `/v1/events?q=${token}&near=89.95,0&radiusKm=30`, {
      as: customerContext(),
    });

    expect(ids(response.body.items)).toEqual([sameSide.id, quarter.id, otherSide.id]);
    expect(response.body.items[2].distanceKm).toBeCloseTo(16.7, 0);
  });

  it('searches a radius that spans many cells and partitions, and pages through it', async () => {
    // Prepare: cities up to ~480 km from the centre, in several precision-2 partitions
    const organizer = organizerContext();
    const token = uniqueToken('wide');
    const centre = at(50.5, 9.5);
    const cities = [
      at(50.11, 8.68), // Frankfurt
      at(52.52, 13.405), // Berlin
      at(48.14, 11.58), // Munich
      at(52.37, 4.9), // Amsterdam
      at(50.09, 14.42), // Prague
      at(47.38, 8.54), // Zurich
      at(50.85, 4.35), // Brussels
      at(48.86, 2.35), // Paris: ~540 km, outside
    ];
    const created = await Promise.all(
      cities.map((place, index) => publishedAt(organizer, place, { name: `${token} ${index}` })),
    );
    const inside = created
      .map((event, index) => ({ id: event.id as string, km: km(centre, cities[index] ?? centre) }))
      .filter((entry) => entry.km <= 500)
      .sort((a, b) => a.km - b.km);
    expect(inside).toHaveLength(7);
    expect(
      new Set(cities.map((place) => eventKeys.nearbyPartition(eventKeys.nearbyGeohash(place))))
        .size,
    ).toBeGreaterThan(3);

    // Act
    const pages = await walk(
      `/v1/events?q=${token}&near=50.5,9.5&radiusKm=500&limit=2`,
      customerContext(),
    );

    // Assess
    expect(pages.slice(0, 4).map((page) => page.length)).toEqual([2, 2, 2, 1]);
    expect(ids(pages.flat())).toEqual(inside.map((entry) => entry.id));
    expect(pages.flat().map((item) => item.distanceKm)).toEqual(inside.map((entry) => entry.km));
  });

  it('lists upcoming published events only, and keeps the organizer, time and name filters', async () => {
    // Prepare: around Oslo, one of each
    const organizer = organizerContext();
    const token = uniqueToken('vis');
    const place = at(59.9139, 10.7522);
    const early = await publishedAt(organizer, place, {
      name: `${token} early`,
      startsAt: '2031-01-01T10:00:00.000Z',
    });
    const late = await publishedAt(organizer, place, {
      name: `${token} late`,
      startsAt: '2032-01-01T10:00:00.000Z',
    });
    const past = await createStartedEvent(organizer, {
      name: `${token} past`,
      venue: { name: 'Venue', ...place },
      startsAt: '2020-01-01T10:00:00.000Z',
    });
    const draft = await createEvent(organizer, {
      name: `${token} draft`,
      venue: { name: 'Venue', ...place },
    });
    const cancelled = await publishedAt(organizer, place, { name: `${token} cancelled` });
    await invoke('POST', `/v1/events/${cancelled.id}/cancel`, { as: organizer });
    const others = await publishedAt(organizerContext(), place, { name: `${token} others` });
    const near = `q=${token}&near=59.9139,10.7522`;
    const customer = customerContext();

    // Act
    const published = await invoke('GET', `/v1/events?${near}`, { as: customer });
    const explicit = await invoke('GET', `/v1/events?${near}&status=PUBLISHED`, { as: customer });
    const byOrganizer = await invoke('GET', `/v1/events?${near}&organizerId=${organizer.userId}`, {
      as: organizer,
    });
    const window = await invoke(
      'GET',
      `/v1/events?${near}&from=2031-06-01T00:00:00Z&to=2032-01-01T10:00:00Z`,
      { as: customer },
    );
    const pastWindow = await invoke(
      'GET',
      `/v1/events?${near}&from=2019-01-01T00:00:00Z&to=2021-01-01T00:00:00Z`,
      { as: customer },
    );
    const pastWithoutNear = await invoke(
      'GET',
      `/v1/events?q=${token}&from=2019-01-01T00:00:00Z&to=2021-01-01T00:00:00Z`,
      { as: customer },
    );

    // Assess
    expect(new Set(ids(published.body.items))).toEqual(new Set([early.id, late.id, others.id]));
    expect(explicit.body).toEqual(published.body);
    expect(new Set(ids(byOrganizer.body.items))).toEqual(new Set([early.id, late.id]));
    expect(ids(window.body.items)).toEqual([late.id]);
    expect(pastWindow.status).toBe(200);
    expect(pastWindow.body).toEqual({ items: [], nextCursor: null });
    // Control: the past event is there for a listing without near.
    expect(ids(pastWithoutNear.body.items)).toEqual([past.id]);
    for (const event of [draft, cancelled]) {
      expect(await nearbyKeysOf(event.id), event.name).toEqual({});
    }
    // Published before it started, the past event stays in the index until the minute
    // sweep takes it out (tested with the sweep); the reads above left it out meanwhile.
    expect(await nearbyKeysOf(past.id)).not.toEqual({});
    expect(await nearbyKeysOf(early.id)).toEqual(
      expectedNearbyKeys(early.id, place, early.startsAt),
    );
  });

  it.each([
    ['DRAFT', 'the organizer', organizerContext],
    ['DRAFT', 'an admin', adminContext],
    ['DRAFT', 'a customer', customerContext],
    ['DRAFT', 'anyone', () => undefined],
    ['CANCELLED', 'a customer', customerContext],
  ])('answers near with status=%s from %s with 400 at query.status', async (status, _, as) => {
    const response = await invoke('GET', `/v1/events?near=59.9139,10.7522&status=${status}`, {
      as: as(),
    });

    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([
      {
        path: 'query.status',
        message: expect.stringContaining('near-me searches published events only'),
      },
    ]);
  });

  it('adds an event when it is published and removes it when it is cancelled', async () => {
    // Prepare
    const organizer = organizerContext();
    const token = uniqueToken('cancel');
    const place = at(55.6761, 12.5683);
    const draft = await createEvent(organizer, {
      name: `${token} show`,
      venue: { name: 'Venue', ...place },
      startsAt: FUTURE,
    });
    const search = `/v1/events?q=${token}&near=55.6761,12.5683&radiusKm=5`;
    const asDraft = await invoke('GET', search);
    const draftKeys = await nearbyKeysOf(draft.id);

    // Act
    await invoke('POST', `/v1/events/${draft.id}/publish`, { as: organizer });
    const published = await invoke('GET', search);
    const publishedKeys = await nearbyKeysOf(draft.id);
    const cancel = await invoke('POST', `/v1/events/${draft.id}/cancel`, { as: organizer });
    const cancelled = await invoke('GET', search);

    // Assess
    expect(asDraft.body.items).toEqual([]);
    expect(draftKeys).toEqual({});
    expect(ids(published.body.items)).toEqual([draft.id]);
    expect(publishedKeys).toEqual(expectedNearbyKeys(draft.id, place, FUTURE));
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancelled.body.items).toEqual([]);
    expect(await nearbyKeysOf(draft.id)).toEqual({});
  });

  it('moves an event in the index when its startsAt changes, and keeps it there when a start in the past is refused', async () => {
    // Prepare
    const organizer = organizerContext();
    const token = uniqueToken('when');
    const place = at(52.2297, 21.0122);
    const event = await publishedAt(organizer, place, { name: `${token} show` });
    const search = `/v1/events?q=${token}&near=52.2297,21.0122&radiusKm=5`;
    const later = '2033-09-09T20:00:00.000Z';

    // Act
    const moved = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { startsAt: later },
    });
    const afterMove = await invoke('GET', search);
    const movedKeys = await nearbyKeysOf(event.id);
    const backdated = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { startsAt: '2021-01-01T20:00:00.000Z' },
    });
    const afterBackdate = await invoke('GET', search);
    const backdatedKeys = await nearbyKeysOf(event.id);
    const movedBack = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { startsAt: FUTURE },
    });

    // Assess
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(afterMove.body.items).toEqual([{ ...moved.body, distanceKm: 0 }]);
    expect(movedKeys).toEqual(expectedNearbyKeys(event.id, place, later));
    expectProblem(backdated, 400, 'VALIDATION_FAILED');
    expect(afterBackdate.body.items).toEqual(afterMove.body.items);
    expect(backdatedKeys).toEqual(movedKeys);
    expect(movedBack.status, JSON.stringify(movedBack.body)).toBe(200);
    expect(await nearbyKeysOf(event.id)).toEqual(expectedNearbyKeys(event.id, place, FUTURE));
    expect(ids((await invoke('GET', search)).body.items)).toEqual([event.id]);
  });

  it('indexes an event by its new venue after the venue changes', async () => {
    const organizer = organizerContext();
    const token = uniqueToken('move');
    const event = await publishedAt(organizer, at(60.17, 24.94), { name: `${token} moving` });

    const moved = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { venue: { latitude: 59.437, longitude: 24.7536 } },
    });

    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const helsinki = await invoke('GET', `/v1/events?q=${token}&near=60.17,24.94&radiusKm=10`);
    const tallinn = await invoke('GET', `/v1/events?q=${token}&near=59.437,24.7536&radiusKm=10`);
    expect(helsinki.body.items).toEqual([]);
    expect(ids(tallinn.body.items)).toEqual([event.id]);
    const geohash = ngeohash.encode(59.437, 24.7536, 9);
    expect(await nearbyKeysOf(event.id)).toEqual({
      gsi4pk: `GEO#${geohash.slice(0, 2)}`,
      gsi4sk: `${geohash}#${event.id}`,
      gsi3pk: 'NEARBY_UNTIL',
      gsi3sk: `${FUTURE}#${event.id}`,
    });
  });

  describe('invalid queries', () => {
    it.each([
      ['near=91,0', 'query.near.latitude'],
      ['near=-90.5,0', 'query.near.latitude'],
      ['near=0,181', 'query.near.longitude'],
      ['near=0,-180.01', 'query.near.longitude'],
      ['near=abc', 'query.near'],
      ['near=52.5', 'query.near'],
      ['near=1,2,3', 'query.near'],
      ['near=0x10,5', 'query.near'],
      ['near=52.5,13.4&radiusKm=0', 'query.radiusKm'],
      ['near=52.5,13.4&radiusKm=-5', 'query.radiusKm'],
      ['near=52.5,13.4&radiusKm=500.1', 'query.radiusKm'],
      ['near=52.5,13.4&radiusKm=abc', 'query.radiusKm'],
      ['near=52.5,13.4&radiusKm=0x10', 'query.radiusKm'],
      ['near=52.5,13.4&radiusKm=1e2', 'query.radiusKm'],
      ['near=52.5,13.4&radiusKm=', 'query.radiusKm'],
      ['radiusKm=10', 'query.radiusKm'],
    ])('answers ?%s with 400 VALIDATION_FAILED at %s', async (search, path) => {
      const response = await invoke('GET', `/v1/events?${search}`, { as: customerContext() });

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([{ path, message: expect.any(String) }]);
    });

    it('accepts the limits themselves', async () => {
      for (const search of ['near=90,180&radiusKm=500', 'near=-90,-180&radiusKm=0.001']) {
        const response = await invoke('GET', `/v1/events?${search}`, { as: customerContext() });
        expect(response.status, `${search}: ${JSON.stringify(response.body)}`).toBe(200);
      }
    });

    it('answers a cursor of another query, or a forged one, with 400', async () => {
      // Prepare: a real radius cursor, and a real time-ordered one
      const organizer = organizerContext();
      const token = uniqueToken('cur');
      for (let index = 0; index < 3; index++) {
        await publishedAt(organizer, at(35.6762, 139.6503 + index / 100), {
          name: `${token} ${index}`,
        });
      }
      const as = customerContext();
      const near = await invoke('GET', `/v1/events?q=${token}&near=35.6762,139.6503&limit=1`, {
        as,
      });
      const timeOrdered = await invoke('GET', `/v1/events?q=${token}&limit=1`, { as });
      const nearCursor: string = near.body.nextCursor;
      expect(nearCursor).toEqual(expect.any(String));
      expect(timeOrdered.body.nextCursor).toEqual(expect.any(String));
      const forge = (content: unknown) =>
        encodeURIComponent(Buffer.from(JSON.stringify(content)).toString('base64url'));
      const decoded = JSON.parse(Buffer.from(nearCursor, 'base64url').toString('utf8'));

      // Act
      const attempts = await Promise.all(
        [
          `near=35.6762,139.6503&radiusKm=20&cursor=${encodeURIComponent(nearCursor)}`,
          `near=35.6763,139.6503&cursor=${encodeURIComponent(nearCursor)}`,
          `cursor=${encodeURIComponent(nearCursor)}`,
          `near=35.6762,139.6503&cursor=${encodeURIComponent(timeOrdered.body.nextCursor)}`,
          `near=35.6762,139.6503&cursor=${forge({ ...decoded, metres: -1 })}`,
          `near=35.6762,139.6503&cursor=${forge({ ...decoded, metres: 1.5 })}`,
          `near=35.6762,139.6503&cursor=${forge({ ...decoded, metres: 50_001 })}`,
          `near=35.6762,139.6503&cursor=${forge({ ...decoded, id: 7 })}`,
          `near=35.6762,139.6503&cursor=${forge({ ...decoded, extra: true })}`,
          `near=35.6762,139.6503&cursor=${forge([decoded])}`,
          'near=35.6762,139.6503&cursor=not-a-cursor',
        ].map((search) => invoke('GET', `/v1/events?q=${token}&${search}`, { as })),
      );
      const resumed = await invoke(
        'GET',
        `/v1/events?q=${token}&near=35.6762,139.6503&limit=1&cursor=${encodeURIComponent(nearCursor)}`,
        { as },
      );

      // Assess
      for (const response of attempts) {
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(response.body.errors).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
      }
      expect(resumed.status).toBe(200);
      expect(resumed.body.items).toHaveLength(1);
      expect(resumed.body.items[0].id).not.toBe(near.body.items[0].id);
    });
  });
});

describe('GET /v1/users/{userId}/relevant-events', () => {
  /** A registered user (a profile in the table), and the authorizer context for them. */
  async function newUser(): Promise<{ id: string; as: AuthorizerContext }> {
    const registered = await invoke('POST', '/v1/auth/register', {
      body: { email: uniqueEmail('geo'), password: 'a-long-password', name: 'Geo' },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const id: string = registered.body.id;
    return { id, as: customerContext(id) };
  }

  async function locate(user: { as: AuthorizerContext }, place: GeoPoint): Promise<void> {
    const response = await invoke('PATCH', '/v1/me', { as: user.as, body: { location: place } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }

  it('answers 409 LOCATION_REQUIRED while the user has no location', async () => {
    const user = await newUser();

    const response = await invoke('GET', `/v1/users/${user.id}/relevant-events`, { as: user.as });

    expectProblem(response, 409, 'LOCATION_REQUIRED');
  });

  it('lists published upcoming events near the user, nearest first, within 50 km by default', async () => {
    // Prepare: around Reykjavik
    const home = at(64.1466, -21.9426);
    const user = await newUser();
    await locate(user, home);
    const organizer = organizerContext();
    const fiveKm = await publishedAt(organizer, at(64.1916, -21.9426));
    const halfKm = await publishedAt(organizer, at(64.1511, -21.9426));
    const thirtyKm = await publishedAt(organizer, at(64.4166, -21.9426));
    const seventyKm = await publishedAt(organizer, at(64.7766, -21.9426));
    const past = await createStartedEvent(organizer, {
      venue: { name: 'Venue', ...at(64.1466, -21.95) },
      startsAt: '2020-01-01T20:00:00.000Z',
    });
    const draft = await createEvent(organizer, { venue: { name: 'Venue', ...home } });
    const cancelled = await publishedAt(organizer, home);
    await invoke('POST', `/v1/events/${cancelled.id}/cancel`, { as: organizer });

    // Act
    const byDefault = await invoke('GET', `/v1/users/${user.id}/relevant-events`, { as: user.as });
    const wider = await invoke('GET', `/v1/users/${user.id}/relevant-events?radiusKm=100`, {
      as: user.as,
    });
    const paged = await walk(`/v1/users/${user.id}/relevant-events?radiusKm=100&limit=3`, user.as);

    // Assess
    expect(byDefault.status).toBe(200);
    expect(ids(byDefault.body.items)).toEqual([halfKm.id, fiveKm.id, thirtyKm.id]);
    expect(byDefault.body.items[0]).toEqual({
      ...halfKm,
      distanceKm: km(home, at(64.1511, -21.9426)),
    });
    expect(byDefault.body.items.map((item: any) => item.distanceKm)).toEqual([
      expect.closeTo(0.5, 0),
      expect.closeTo(5, 0),
      expect.closeTo(30, 0),
    ]);
    expect(ids(wider.body.items)).toEqual([halfKm.id, fiveKm.id, thirtyKm.id, seventyKm.id]);
    for (const excluded of [past, draft, cancelled]) {
      expect(ids(wider.body.items)).not.toContain(excluded.id);
    }
    expect(paged.map((page) => page.length)).toEqual([3, 1]);
    expect(ids(paged.flat())).toEqual(ids(wider.body.items));
  });

  it('is for the user themself and admins; anyone else gets 404', async () => {
    const user = await newUser();
    await locate(user, at(-33.8688, 151.2093));
    const event = await publishedAt(organizerContext(), at(-33.87, 151.21));
    const path = `/v1/users/${user.id}/relevant-events?radiusKm=1`;

    const self = await invoke('GET', path, { as: user.as });
    const admin = await invoke('GET', path, { as: adminContext() });
    const other = await invoke('GET', path, { as: customerContext() });
    const organizer = await invoke('GET', path, { as: organizerContext() });
    const nobody = await invoke('GET', `/v1/users/${uniqueToken('none')}/relevant-events`, {
      as: adminContext(),
    });

    expect(ids(self.body.items)).toEqual([event.id]);
    expect(admin.body).toEqual(self.body);
    expectProblem(other, 404, 'NOT_FOUND');
    expectProblem(organizer, 404, 'NOT_FOUND');
    expectProblem(nobody, 404, 'NOT_FOUND');
  });

  it.each([['radiusKm=0'], ['radiusKm=501'], ['radiusKm=x'], ['limit=101'], ['near=1,2']])(
    'answers ?%s with 400 VALIDATION_FAILED',
    async (search) => {
      const user = customerContext();

      const response = await invoke('GET', `/v1/users/${user.userId}/relevant-events?${search}`, {
        as: user,
      });

      expectProblem(response, 400, 'VALIDATION_FAILED');
    },
  );
});

describe('the sweep: events leave the nearby index when they start', () => {
  /*
   * On a hand-moved clock in the early 2000s, like the order sweep tests: the due index
   * is shared by the whole run, events made through the handlers (real clock) all start
   * after today, and each test here leaves nothing of its own due behind.
   */
  const organizer = () => principals.organizer(uniqueToken('org-'));

  function world(start: string) {
    const clock = new ManualClock(start);
    const repository = new DynamoEventRepository(documentClient, tableName);
    const reported: string[] = [];
    const service = new EventService(repository, clock, ulid, (message) => reported.push(message));
    return { clock, repository, service, reported };
  }

  async function published(
    service: EventService,
    owner: Principal,
    name: string,
    place: GeoPoint,
    startsAt: string,
  ) {
    const draft = await service.create(owner, {
      name,
      venue: { name: 'Venue', ...place },
      startsAt,
      currency: 'EUR',
      maxTicketsPerOrder: 4,
      holdSeconds: 600,
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    return service.publish(owner, draft.id);
  }

  it('removes the keys of events that have started, earliest first and at most limit a run', async () => {
    // Prepare: on 2002-02-01, three events starting at 01:00–01:20 and one at 03:00
    const { clock, service, reported } = world('2002-02-01T00:00:00.000Z');
    const owner = organizer();
    const token = uniqueToken('swept');
    const place = at(-60.5, -120.5);
    const starts = ['01:00', '01:10', '01:20', '03:00'].map((time) => `2002-02-01T${time}:00.000Z`);
    const events = [];
    for (const [index, startsAt] of starts.entries()) {
      events.push(await published(service, owner, `${token} ${index}`, place, startsAt));
    }
    const [first, second, third, later] = events.map((event) => event.id);
    const searchAt = async (time: string) => {
      clock.set(time);
      const page = await service.list(principals.anonymous(), {
        q: token,
        near: place,
        radiusKm: 1,
        limit: 20,
      });
      return page.items.map(({ id }) => id).sort();
    };
    const listedAtStart = await searchAt('2002-02-01T00:30:00.000Z');
    // Before any sweep, the read itself leaves out what has started.
    const listedUnswept = await searchAt('2002-02-01T01:15:00.000Z');

    // Act: sweeps at 02:00, two events a run
    clock.set('2002-02-01T02:00:00.000Z');
    const runs = [];
    for (let run = 0; run < 3; run++) runs.push(await service.unlistStarted(2));
    const keysAfter = await Promise.all(events.map((event) => nearbyKeysOf(event.id)));
    // The index, read as if it were 00:30 again, no longer holds the started ones.
    const listedAfter = await searchAt('2002-02-01T00:30:00.000Z');

    // Assess
    expect(listedAtStart).toEqual([first, second, third, later].sort());
    expect(listedUnswept).toEqual([third, later].sort());
    expect(runs).toEqual([{ unlisted: 2 }, { unlisted: 1 }, { unlisted: 0 }]);
    expect(keysAfter.slice(0, 3)).toEqual([{}, {}, {}]);
    expect(keysAfter[3]).toEqual(expectedNearbyKeys(later ?? '', place, starts[3] ?? ''));
    expect(listedAfter).toEqual([later]);
    expect(reported).toEqual([]);
    // The event is untouched otherwise: still published, same version.
    const stored = await service.get(principals.anonymous(), first ?? '');
    expect(stored).toEqual(events[0]);

    // The later one goes when its time comes, which leaves nothing due behind.
    clock.set('2002-02-01T03:00:00.000Z');
    expect(await service.unlistStarted(2)).toEqual({ unlisted: 1 });
    expect(await nearbyKeysOf(later ?? '')).toEqual({});
  });

  it('takes an event that has started out on its next write, before any sweep', async () => {
    // Prepare: published an hour before its start; the PATCH comes through the handler,
    // on the real clock, long after it
    const { service } = world('2001-07-01T00:00:00.000Z');
    const organizer = organizerContext();
    const place = at(-62.5, -122.5);
    const startsAt = '2001-07-01T01:00:00.000Z';
    const started = await published(
      service,
      principals.organizer(organizer.userId),
      uniqueToken('started'),
      place,
      startsAt,
    );
    const keysBefore = await nearbyKeysOf(started.id);

    // Act
    const renamed = await invoke('PATCH', `/v1/events/${started.id}`, {
      as: organizer,
      body: { name: 'Renamed after its start' },
    });

    // Assess
    expect(keysBefore).toEqual(expectedNearbyKeys(started.id, place, startsAt));
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(await nearbyKeysOf(started.id)).toEqual({});
  });

  it('leaves an event whose startsAt moved into the future after the sweep read it (control)', async () => {
    // Prepare: two events starting at 01:00; the sweep runs at 02:00, and reads both as
    // due, but one of them moves to 05:00 before the sweep writes
    const { clock, repository, service, reported } = world('2001-06-01T00:00:00.000Z');
    const owner = organizer();
    const token = uniqueToken('moved');
    const place = at(-61.5, -121.5);
    const startsAt = '2001-06-01T01:00:00.000Z';
    const moved = await published(service, owner, `${token} moved`, place, startsAt);
    const stays = await published(service, owner, `${token} stays`, place, startsAt);
    const movedTo = '2001-06-01T05:00:00.000Z';
    const read: string[][] = [];
    const racing = Object.create(repository) as DynamoEventRepository;
    racing.startedNearby = async (now, limit) => {
      const due = await repository.startedNearby(now, limit);
      read.push(due.map(({ eventId }) => eventId));
      await service.update(owner, moved.id, { startsAt: movedTo });
      return due;
    };
    const sweeper = new EventService(racing, clock, ulid, (message) => reported.push(message));
    clock.set('2001-06-01T02:00:00.000Z');

    // Act
    const result = await sweeper.unlistStarted();

    // Assess: only the one that has still started is gone
    expect(read).toEqual([expect.arrayContaining([moved.id, stays.id])]);
    expect(result).toEqual({ unlisted: 1 });
    expect(await nearbyKeysOf(stays.id)).toEqual({});
    expect(await nearbyKeysOf(moved.id)).toEqual(expectedNearbyKeys(moved.id, place, movedTo));
    expect(reported).toEqual([]);
    // Nothing is due any more at 02:00, and the moved event goes at its new start.
    expect(await service.unlistStarted()).toEqual({ unlisted: 0 });
    clock.set(movedTo);
    expect(await service.unlistStarted()).toEqual({ unlisted: 1 });
    expect(await nearbyKeysOf(moved.id)).toEqual({});
  });
});
