import getBoundsOfDistanceModule from 'geolib/es/getBoundsOfDistance';
import ngeohash from 'ngeohash';
import { commonJsDefault, distanceMetres, type GeoPoint } from '../domain/geo.js';

const getBoundsOfDistance = commonJsDefault(getBoundsOfDistanceModule);

import { GEOHASH_PRECISION } from './table.js';

/** A geohash cell, with how near to and how far from a search centre any point in it can be. */
export interface Cell {
  geohash: string;
  nearestMetres: number;
  farthestMetres: number;
}

export interface CellCover {
  precision: number;
  /** Nearest first. */
  cells: Cell[];
}

/**
 * How many cells a radius search starts from at most. Finer cells read less outside the
 * circle but cost a Query each; this caps the queries of a sparse area, where every
 * cell must be read. Only near a pole can even partition-sized cells need more.
 */
export const MAX_COVER_CELLS = 32;

/**
 * Distances are whole metres, so a bound built from two of them can be off by 1.5 m.
 * Widening every bound by this much keeps each one safe for the rounded distances it
 * is compared with.
 */
const ROUNDING_SLACK_METRES = 2;

const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

type Box = [minLat: number, minLon: number, maxLat: number, maxLon: number];

/**
 * The cells that together hold every point within `radiusMetres` of `centre`: the
 * finest geohash precision (between the index's partition and point precisions) whose
 * cover has at most `maxCells` cells, leaving out cells that cannot reach the circle.
 */
export function coverCircle(
  centre: GeoPoint,
  radiusMetres: number,
  maxCells = MAX_COVER_CELLS,
): CellCover {
  const boxes = boundingBoxes(centre, radiusMetres + ROUNDING_SLACK_METRES);
  const cellsAt = (precision: number): Cell[] =>
    boxes
      .flatMap((box) => ngeohash.bboxes(...box, precision))
      .map((geohash) => cellAround(geohash, centre))
      .filter((cell) => cell.nearestMetres <= radiusMetres);

  let cover: CellCover = {
    precision: GEOHASH_PRECISION.partition,
    cells: cellsAt(GEOHASH_PRECISION.partition),
  };
  for (
    let precision = GEOHASH_PRECISION.partition + 1;
    precision <= GEOHASH_PRECISION.point;
    precision++
  ) {
    const cells = cellsAt(precision);
    if (cells.length > maxCells) break;
    cover = { precision, cells };
  }
  return { precision: cover.precision, cells: cover.cells.sort(nearestFirst) };
}

/**
 * Bounds on the distance from `centre` to any point of the cell. Every point of a cell
 * lies within its middle's distance to the farthest corner (a cell is bounded by
 * meridians and parallels), so by the triangle inequality the distance to the centre
 * is within that much of the middle's.
 */
export function cellAround(geohash: string, centre: GeoPoint): Cell {
  const { latitude, longitude } = ngeohash.decode(geohash);
  const middle = { latitude, longitude };
  const [minLat, minLon, maxLat, maxLon] = ngeohash.decode_bbox(geohash);
  const reach = Math.max(
    ...[
      { latitude: minLat, longitude: minLon },
      { latitude: minLat, longitude: maxLon },
      { latitude: maxLat, longitude: minLon },
      { latitude: maxLat, longitude: maxLon },
    ].map((corner) => distanceMetres(middle, corner)),
  );
  const toMiddle = distanceMetres(centre, middle);
  return {
    geohash,
    nearestMetres: Math.max(0, toMiddle - reach - ROUNDING_SLACK_METRES),
    farthestMetres: toMiddle + reach + ROUNDING_SLACK_METRES,
  };
}

/** The 32 cells one character longer that exactly tile `geohash`. */
export function childCells(geohash: string): string[] {
  return [...GEOHASH_ALPHABET].map((character) => `${geohash}${character}`);
}

export function nearestFirst(a: Cell, b: Cell): number {
  return a.nearestMetres - b.nearestMetres || (a.geohash < b.geohash ? -1 : 1);
}

/**
 * The circle's latitude/longitude bounds as boxes geohash cells can be listed for. geolib
 * widens the bounds to every longitude when the circle reaches a pole, and returns
 * `minLon > maxLon` when it crosses the antimeridian: then there are two boxes, one on
 * each side.
 */
function boundingBoxes(centre: GeoPoint, metres: number): Box[] {
  // geolib always returns [south-west, north-east].
  const [southWest, northEast] = getBoundsOfDistance(centre, metres) as [GeoPoint, GeoPoint];
  const { latitude: minLat, longitude: minLon } = southWest;
  const { latitude: maxLat, longitude: maxLon } = northEast;
  return minLon <= maxLon
    ? [[minLat, minLon, maxLat, maxLon]]
    : [
        [minLat, minLon, maxLat, 180],
        [minLat, -180, maxLat, maxLon],
      ];
}
