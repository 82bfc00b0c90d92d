import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { type NearbyLimits, queryNearby } from '../../shared/db/nearby.js';
import { eventKeys, table } from '../../shared/db/table.js';
import { ValidationFailed } from '../../shared/domain/errors.js';
import { distanceMetres, type GeoPoint } from '../../shared/domain/geo.js';
import { documentClient, tableName } from '../support/events-api.js';
import { eventState, uniqueToken } from '../support/events-fixtures.js';

/*
 * The radius query itself, on items written straight into the nearby index, so a test
 * can afford hundreds of them in one spot. Every item carries its test's run token and
 * every query filters on it, so tests don't see each other or real events.
 */

type Seeded = { id: string; point: GeoPoint; kind: 'a' | 'b' };

const { nearby } = table.globalSecondaryIndexes;

/** Deterministic, so a failure reproduces (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function seed(run: string, points: GeoPoint[]): Promise<Seeded[]> {
  const seeded = points.map((point, index) => ({
    id: `${run}-${String(index).padStart(4, '0')}`,
    point,
    kind: index % 3 === 0 ? ('b' as const) : ('a' as const),
  }));
  const requests = seeded.map(({ id, point, kind }) => {
    const geohash = eventKeys.nearbyGeohash(point);
    return {
      PutRequest: {
        Item: {
          pk: `NEARBY-TEST#${id}`,
          sk: 'ITEM',
          [nearby.partitionKey]: eventKeys.nearbyPartition(geohash),
          [nearby.sortKey]: eventKeys.nearbySort(geohash, id),
          id,
          venue: point,
          run,
          kind,
        },
      },
    };
  });
  for (let start = 0; start < requests.length; start += 25) {
    let pending: BatchWriteCommandInput['RequestItems'] = {
      [tableName]: requests.slice(start, start + 25),
    };
    while (pending && Object.keys(pending).length > 0) {
      const result: BatchWriteCommandOutput = await documentClient.send(
        new BatchWriteCommand({ RequestItems: pending }),
      );
      pending = result.UnprocessedItems;
    }
  }
  return seeded;
}

interface Search {
  run: string;
  centre: GeoPoint;
  radiusMetres: number;
  limit: number;
  kind?: 'a' | 'b';
}

function search(query: Search, cursor: string | undefined, limits?: NearbyLimits) {
  return queryNearby(
    documentClient,
    tableName,
    {
      centre: query.centre,
      radiusMetres: query.radiusMetres,
      limit: query.limit,
      ...(cursor !== undefined && { cursor }),
      filter: {
        expression: query.kind ? '#run = :run AND #kind = :kind' : '#run = :run',
        names: { '#run': 'run', ...(query.kind && { '#kind': 'kind' }) },
        values: { ':run': query.run, ...(query.kind && { ':kind': query.kind }) },
      },
      pointOf: (item) => item.venue as GeoPoint,
      idOf: (item) => item.id as string,
    },
    limits,
  );
}

/** Every page of a search, and how many index queries each took. */
async function walk(query: Search, limits?: NearbyLimits) {
  const send = vi.spyOn(documentClient, 'send');
  const pages: { ids: string[]; distances: number[]; queries: number }[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    send.mockClear();
    const result = await search(query, cursor, limits);
    pages.push({
      ids: result.items.map(({ item }) => item.id as string),
      distances: result.items.map(({ distanceMetres }) => distanceMetres),
      queries: send.mock.calls.filter(([command]) => command instanceof QueryCommand).length,
    });
    if (result.nextCursor === null) return pages;
    cursor = result.nextCursor;
  }
  throw new Error('paging did not end');
}

/** The answer worked out the slow way: every item, measured, filtered, sorted. */
function expected(seeded: Seeded[], query: Search): { id: string; metres: number }[] {
  return seeded
    .filter((item) => query.kind === undefined || item.kind === query.kind)
    .map((item) => ({ id: item.id, metres: distanceMetres(query.centre, item.point) }))
    .filter((item) => item.metres <= query.radiusMetres)
    .sort((a, b) => a.metres - b.metres || (a.id < b.id ? -1 : 1));
}

/**
 * A dense cluster (500 items within ~250 m), a pile of 40 on one spot 1.1 km away, and
 * 100 scattered over ~55 km, some outside the 20 km the tests search.
 */
function scene(centre: GeoPoint, seedNumber: number): GeoPoint[] {
  const next = random(seedNumber);
  const around = (spread: number) => ({
    latitude: centre.latitude + (next() - 0.5) * spread,
    longitude: centre.longitude + (next() - 0.5) * spread,
  });
  return [
    ...Array.from({ length: 500 }, () => around(0.005)),
    ...Array.from({ length: 40 }, () => ({
      latitude: centre.latitude + 0.01,
      longitude: centre.longitude,
    })),
    ...Array.from({ length: 100 }, () => around(0.5)),
  ];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('queryNearby', () => {
  it('walks a dense area page by page, nearest first, each item exactly once', async () => {
    // Prepare
    const run = uniqueToken('dense');
    const centre = { latitude: -45.1, longitude: -100.2 };
    const seeded = await seed(run, scene(centre, 1));
    const query = { run, centre, radiusMetres: 20_000, limit: 17 };
    const answer = expected(seeded, query);
    expect(answer.length).toBeGreaterThan(540);
    expect(answer.length).toBeLessThan(seeded.length);

    // Act: small queries, so cells split down to single geohash-9 cells (the pile), and
    // no budget in the way
    const pages = await walk(query, { roundSize: 8, queryLimit: 25, maxQueries: 10_000 });

    // Assess
    expect(pages.flatMap((page) => page.ids)).toEqual(answer.map(({ id }) => id));
    expect(pages.flatMap((page) => page.distances)).toEqual(answer.map(({ metres }) => metres));
    expect(pages.slice(0, -1).every((page) => page.ids.length === query.limit)).toBe(true);
  });

  it('applies the filter in the query and still pages exactly', async () => {
    const run = uniqueToken('kind');
    const centre = { latitude: -46.3, longitude: -101.4 };
    const seeded = await seed(run, scene(centre, 2));
    const query = { run, centre, radiusMetres: 15_000, limit: 20, kind: 'b' as const };

    const pages = await walk(query);

    expect(pages.flatMap((page) => page.ids)).toEqual(expected(seeded, query).map(({ id }) => id));
  });

  it('reads a dense area only as far as the first page needs', async () => {
    // Prepare
    const run = uniqueToken('first');
    const centre = { latitude: -47.5, longitude: -102.6 };
    const seeded = await seed(run, scene(centre, 3));
    const send = vi.spyOn(documentClient, 'send');

    // Act
    const page = await search({ run, centre, radiusMetres: 20_000, limit: 5 }, undefined, {
      roundSize: 2,
      queryLimit: 20,
      maxQueries: 64,
    });

    // Assess: far fewer items evaluated than there are in the area
    const results = await Promise.all(send.mock.results.map((result) => result.value));
    const evaluated = results.reduce((sum, output) => sum + (output.ScannedCount ?? 0), 0);
    expect(page.items).toHaveLength(5);
    expect(evaluated).toBeLessThan(seeded.length / 3);
  });

  it('when its query budget runs out, answers what is certain and resumes there', async () => {
    // Prepare
    const run = uniqueToken('budget');
    const centre = { latitude: -52.7, longitude: -107.8 };
    const seeded = await seed(run, scene(centre, 9));
    const query = { run, centre, radiusMetres: 20_000, limit: 50 };
    const limits = { roundSize: 8, queryLimit: 20, maxQueries: 64 };

    // Act
    const pages = await walk(query, limits);

    // Assess: exact and complete; no request went over budget; some pages came back short
    expect(pages.flatMap((page) => page.ids)).toEqual(expected(seeded, query).map(({ id }) => id));
    expect(pages.every((page) => page.queries <= limits.maxQueries)).toBe(true);
    expect(pages.slice(0, -1).some((page) => page.ids.length < query.limit)).toBe(true);
  });

  it('fails with 400 rather than hand out a cursor that cannot get further', async () => {
    const run = uniqueToken('stall');
    const centre = { latitude: -51.1, longitude: -106.2 };
    await seed(run, scene(centre, 6));

    const attempt = search({ run, centre, radiusMetres: 20_000, limit: 10 }, undefined, {
      roundSize: 2,
      queryLimit: 5,
      maxQueries: 3,
    });

    await expect(attempt).rejects.toThrow(ValidationFailed);
    const error = (await attempt.catch((caught: unknown) => caught)) as ValidationFailed;
    expect(error.message).toBe('This area holds more events than one request can page through');
    expect(error.errors).toEqual([
      { path: 'query.radiusKm', message: 'narrow radiusKm to search a smaller area' },
    ]);
  });

  it('queries the cells of the circle, never a scan', async () => {
    const run = uniqueToken('cells');
    const centre = { latitude: -49.9, longitude: -105 };
    await seed(run, scene(centre, 5));
    const send = vi.spyOn(documentClient, 'send');

    await search({ run, centre, radiusMetres: 5_000, limit: 100 }, undefined);

    const commands = send.mock.calls.map(([command]) => command);
    expect(commands.length).toBeGreaterThan(1);
    for (const command of commands) {
      expect(command).toBeInstanceOf(QueryCommand);
      const input = (command as QueryCommand).input;
      expect(input.IndexName).toBe(nearby.indexName);
      expect(input.KeyConditionExpression).toBe('#pk = :pk AND begins_with(#sk, :cell)');
    }
  });
});

describe('the nearby index of events', () => {
  /*
   * Through the event repository, on a budget of 15 items a request: a spot crowded with
   * events no radius search may return must not take up that budget.
   */
  const limits = { roundSize: 2, queryLimit: 5, maxQueries: 3 };
  const WRITTEN = '2029-01-01T00:00:00.000Z';
  const NOW = '2030-01-01T00:00:00.000Z';

  async function crowd(place: GeoPoint, run: string) {
    const repository = new DynamoEventRepository(documentClient, tableName, limits);
    const venue = { name: 'Hall', ...place };
    const at = { createdAt: WRITTEN, updatedAt: WRITTEN };
    const unlisted = [
      // Drafts, cancelled events, and events that had started when they were written
      ...Array.from({ length: 20 }, (_, i) =>
        eventState({ id: `${run}-draft-${i}`, venue, status: 'DRAFT', ...at }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        eventState({ id: `${run}-cancelled-${i}`, venue, status: 'CANCELLED', ...at }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        eventState({
          id: `${run}-past-${i}`,
          venue,
          status: 'PUBLISHED',
          startsAt: '2028-06-01T19:30:00.000Z',
          ...at,
        }),
      ),
    ];
    const upcoming = Array.from({ length: 3 }, (_, i) =>
      eventState({
        id: `${run}-upcoming-${i}`,
        venue: { ...venue, latitude: place.latitude + (i + 1) / 1000 },
        status: 'PUBLISHED',
        ...at,
      }),
    );
    for (const event of [...unlisted, ...upcoming]) await repository.insert(event);
    const search = () =>
      repository.listNear({
        index: 'byStatus',
        status: 'PUBLISHED',
        near: { centre: place, radiusKm: 5 },
        startsAfter: NOW,
        limit: 2,
      });
    return { unlisted, upcoming, search };
  }

  it('holds no drafts, cancelled or started events, so they cost a search nothing', async () => {
    // Prepare: 60 unlisted events on one spot, 3 upcoming ones just north of it
    const run = uniqueToken('crowd');
    const { upcoming, search } = await crowd({ latitude: -56.3, longitude: -112.4 }, run);

    // Act
    const first = await search();

    // Assess
    expect(first.items.map(({ event }) => event.id)).toEqual(
      upcoming.slice(0, 2).map(({ id }) => id),
    );
    expect(first.nextCursor).toEqual(expect.any(String));
  });

  it('control: the same events, all in the index as before, exhaust the budget', async () => {
    // Prepare: as above, then the keys every event used to get, whatever its status
    const run = uniqueToken('legacy');
    const { unlisted, search } = await crowd({ latitude: -57.3, longitude: -113.4 }, run);
    for (const event of unlisted) {
      const geohash = eventKeys.nearbyGeohash(event.venue);
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: eventKeys.meta(event.id),
          UpdateExpression: 'SET #pk = :pk, #sk = :sk',
          ExpressionAttributeNames: { '#pk': nearby.partitionKey, '#sk': nearby.sortKey },
          ExpressionAttributeValues: {
            ':pk': eventKeys.nearbyPartition(geohash),
            ':sk': eventKeys.nearbySort(geohash, event.id),
          },
        }),
      );
    }

    // Act + Assess
    await expect(search()).rejects.toThrow(ValidationFailed);
  });
});
