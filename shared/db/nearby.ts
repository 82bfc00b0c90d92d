import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationFailed } from '../domain/errors.js';
import { distanceMetres, type GeoPoint } from '../domain/geo.js';
import type { Page } from '../domain/page.js';
import { decodePosition, encodeCursor } from './cursor.js';
import type { QueryFilter } from './expression.js';
import { type Cell, cellAround, childCells, coverCircle, nearestFirst } from './geo-cells.js';
import { eventKeys, GEOHASH_PRECISION, table } from './table.js';

type Item = Record<string, unknown>;

/** What one radius search may read. Tests shrink them to reach the dense-area paths cheaply. */
export interface NearbyLimits {
  /** Cell queries sent at once; the nearest unread cells go first. */
  roundSize: number;
  /** Items one Query evaluates; a cell with more is split into its 32 children. */
  queryLimit: number;
  /** Queries per request, so at most queryLimit × maxQueries items are read. */
  maxQueries: number;
}

/**
 * At most 6,400 items per request. maxQueries is above the largest cover (44 cells, near
 * a pole at 500 km), so a sparse area is answered in one request.
 */
export const NEARBY_LIMITS: NearbyLimits = { roundSize: 8, queryLimit: 100, maxQueries: 64 };

export interface NearbyRequest {
  centre: GeoPoint;
  radiusMetres: number;
  limit: number;
  cursor?: string;
  filter?: QueryFilter;
  pointOf: (item: Item) => GeoPoint;
  idOf: (item: Item) => string;
}

export interface NearbyItem {
  item: Item;
  distanceMetres: number;
}

/** A key range still to read: a cell, or what is left of it after `startKey`. */
interface Range {
  cell: Cell;
  startKey?: Item;
}

/** Where a page ends: results sort by distance, then id. */
interface Position {
  metres: number;
  id: string;
}

interface Found extends Position {
  item: Item;
}

const byPosition = (a: Position, b: Position): number =>
  a.metres - b.metres || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One page of the nearby index's items within `radiusMetres` of `centre`, nearest
 * first (ties by id). Cells are read nearest first, a round at a time, until no unread
 * cell can hold anything before the first result past the page. A cell whose Query
 * stops at the query limit is split, so a dense area is read only as far as the page
 * needs. A cursor is a position (distance, id); later pages skip the cells wholly
 * before it.
 *
 * If maxQueries run out first, the page holds the results nearer than every unread
 * cell, maybe none, and its cursor resumes at that distance; if that distance is where
 * the request began, it could never get further, and fails with 400 instead.
 */
export async function queryNearby(
  client: DynamoDBDocumentClient,
  tableName: string,
  request: NearbyRequest,
  limits: NearbyLimits = NEARBY_LIMITS,
): Promise<Page<NearbyItem>> {
  const { centre, radiusMetres } = request;
  const after =
    request.cursor === undefined ? undefined : decodeNearbyCursor(request.cursor, request);
  const worthReading = (range: Range) =>
    range.cell.nearestMetres <= radiusMetres &&
    (after === undefined || range.cell.farthestMetres >= after.metres);
  const pending: Range[] = coverCircle(centre, radiusMetres)
    .cells.map((cell) => ({ cell }))
    .filter(worthReading);
  const found = new Map<string, Found>();

  for (let queries = 0; queries < limits.maxQueries; ) {
    // Only a range that starts within the (limit + 1)th result so far can still change
    // the page, or show that there is a next one.
    const target =
      [...found.values()].sort(byPosition)[request.limit]?.metres ?? Number.POSITIVE_INFINITY;
    const due = pending.findIndex((range) => range.cell.nearestMetres > target);
    const round = pending.splice(
      0,
      Math.min(due === -1 ? pending.length : due, limits.roundSize, limits.maxQueries - queries),
    );
    if (round.length === 0) break;
    queries += round.length;
    const results = await Promise.all(
      round.map((range) => readRange(client, tableName, request, range, limits.queryLimit)),
    );
    round.forEach((range, index) => {
      const result = results[index];
      for (const item of result?.items ?? []) {
        const position = {
          metres: distanceMetres(centre, request.pointOf(item)),
          id: request.idOf(item),
        };
        if (position.metres > radiusMetres) continue;
        if (after !== undefined && byPosition(position, after) <= 0) continue;
        // An event that moved between two reads can show up in both of its cells.
        found.set(position.id, { ...position, item });
      }
      if (result?.lastKey)
        pending.push(...remainder(range, result.lastKey, centre).filter(worthReading));
    });
    pending.sort((a, b) => nearestFirst(a.cell, b.cell));
  }

  const ready = settled(found, pending);
  const items = ready.slice(0, request.limit);
  const last = items.at(-1);
  const frontier = pending[0]?.cell.nearestMetres;
  let next: Position | null = null;
  if (ready.length > items.length && last) next = last;
  else if (frontier !== undefined) {
    // The same request again would stop at the same place: say so rather than loop.
    if (items.length === 0 && frontier <= (after?.metres ?? 0)) throw tooDense();
    next = { metres: frontier, id: '' };
  }
  return {
    items: items.map(({ item, metres }) => ({ item, distanceMetres: metres })),
    nextCursor: next && encodeNearbyCursor(request, next),
  };
}

/**
 * One request's budget ran out before it could settle a single result past where it
 * began: the cells it still had to read hold more items (the filter's rejects too)
 * than one request may read. Nothing says they lie at one distance; radiusKm is what
 * shrinks the area to read.
 */
function tooDense(): ValidationFailed {
  return new ValidationFailed('This area holds more events than one request can page through', [
    { path: 'query.radiusKm', message: 'narrow radiusKm to search a smaller area' },
  ]);
}

/** The results no unread range can come before, in order. */
function settled(found: Map<string, Found>, pending: Range[]): Found[] {
  const frontier = pending[0]?.cell.nearestMetres ?? Number.POSITIVE_INFINITY;
  return [...found.values()].filter(({ metres }) => metres < frontier).sort(byPosition);
}

async function readRange(
  client: DynamoDBDocumentClient,
  tableName: string,
  request: NearbyRequest,
  range: Range,
  queryLimit: number,
): Promise<{ items: Item[]; lastKey?: Item }> {
  const { nearby } = table.globalSecondaryIndexes;
  const { filter } = request;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: nearby.indexName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :cell)',
      ExpressionAttributeNames: {
        '#pk': nearby.partitionKey,
        '#sk': nearby.sortKey,
        ...filter?.names,
      },
      ExpressionAttributeValues: {
        ':pk': eventKeys.nearbyPartition(range.cell.geohash),
        ':cell': range.cell.geohash,
        ...filter?.values,
      },
      ...(filter && { FilterExpression: filter.expression }),
      Limit: queryLimit,
      ...(range.startKey && { ExclusiveStartKey: range.startKey }),
    }),
  );
  return {
    items: result.Items ?? [],
    ...(result.LastEvaluatedKey && { lastKey: result.LastEvaluatedKey }),
  };
}

/**
 * What is left of a range after `lastKey`. Sort values run in geohash order, so the
 * children before the last item's child are done, its own child goes on after it, and
 * the later children are untouched.
 */
function remainder(range: Range, lastKey: Item, centre: GeoPoint): Range[] {
  const { geohash } = range.cell;
  if (geohash.length === GEOHASH_PRECISION.point) return [{ cell: range.cell, startKey: lastKey }];
  const lastGeohash = eventKeys.geohashOfNearbySort(
    lastKey[table.globalSecondaryIndexes.nearby.sortKey] as string,
  );
  const current = lastGeohash.slice(0, geohash.length + 1);
  return childCells(geohash)
    .filter((child) => child >= current)
    .map((child) => ({
      cell: cellAround(child, centre),
      ...(child === current && { startKey: lastKey }),
    }));
}

/** A nearby cursor is valid only for the same centre and radius. */
function encodeNearbyCursor(request: NearbyRequest, position: Position): string {
  return encodeCursor({
    centre: [request.centre.latitude, request.centre.longitude],
    radiusMetres: request.radiusMetres,
    metres: position.metres,
    id: position.id,
  });
}

function decodeNearbyCursor(cursor: string, request: NearbyRequest): Position {
  return decodePosition(cursor, (content) => {
    const { centre, radiusMetres, metres, id } = content;
    const sameQuery =
      Array.isArray(centre) &&
      centre.length === 2 &&
      centre[0] === request.centre.latitude &&
      centre[1] === request.centre.longitude &&
      radiusMetres === request.radiusMetres;
    return sameQuery &&
      Object.keys(content).length === 4 &&
      typeof metres === 'number' &&
      Number.isInteger(metres) &&
      metres >= 0 &&
      metres <= request.radiusMetres &&
      typeof id === 'string' &&
      id.length <= 200
      ? { metres, id }
      : null;
  });
}
