import fc from 'fast-check';
import { computeDestinationPoint } from 'geolib';
import ngeohash from 'ngeohash';
import { describe, expect, it } from 'vitest';
import {
  type CellCover,
  cellAround,
  childCells,
  coverCircle,
  MAX_COVER_CELLS,
} from '../../shared/db/geo-cells.js';
import { eventKeys, GEOHASH_PRECISION } from '../../shared/db/table.js';
import { distanceMetres, type GeoPoint } from '../../shared/domain/geo.js';

const KM = 1000;
const point = (latitude: number, longitude: number): GeoPoint => ({ latitude, longitude });

/** The cover cell a point's index sort value falls in, as the Query's begins_with sees it. */
const cellHolding = (cover: CellCover, at: GeoPoint) => {
  const geohash = eventKeys.nearbyGeohash(at);
  return cover.cells.find((cell) => geohash.startsWith(cell.geohash));
};

const longitudesOf = (cover: CellCover) =>
  cover.cells.map(({ geohash }) => ngeohash.decode(geohash).longitude);

// Property runs over thousands of centres: a busy shared machine can take several seconds.
describe('coverCircle', { timeout: 30_000 }, () => {
  it('covers every point within the radius, anywhere on Earth, with true distance bounds', () => {
    // Prepare: centres biased towards the hard places (poles, antimeridian), any radius.
    const latitude = fc.oneof(
      fc.double({ min: -90, max: 90, noNaN: true }),
      fc.double({ min: 85, max: 90, noNaN: true }),
      fc.double({ min: -90, max: -85, noNaN: true }),
    );
    const longitude = fc.oneof(
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.double({ min: 179, max: 180, noNaN: true }),
      fc.double({ min: -180, max: -179, noNaN: true }),
    );
    fc.assert(
      fc.property(
        latitude,
        longitude,
        fc.double({ min: 0.001, max: 500, noNaN: true }),
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 360, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (lat, lng, radiusKm, targets) => {
          const centre = point(lat, lng);
          const radiusMetres = radiusKm * KM;

          // Act
          const cover = coverCircle(centre, radiusMetres);

          // Assess
          for (const [fraction, bearing] of targets) {
            const target = computeDestinationPoint(centre, fraction * radiusMetres, bearing);
            const distance = distanceMetres(centre, target);
            if (distance > radiusMetres) continue;
            const cell = cellHolding(cover, target);
            expect(cell, `${target.latitude},${target.longitude}`).toBeDefined();
            expect(cell?.nearestMetres).toBeLessThanOrEqual(distance);
            expect(cell?.farthestMetres).toBeGreaterThanOrEqual(distance);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lists cells nearest first, each once', () => {
    const cover = coverCircle(point(52.52, 13.405), 50 * KM);

    const nearest = cover.cells.map((cell) => cell.nearestMetres);
    expect(nearest).toEqual([...nearest].sort((a, b) => a - b));
    expect(new Set(cover.cells.map((cell) => cell.geohash)).size).toBe(cover.cells.length);
    expect(cover.cells[0]?.nearestMetres).toBe(0);
  });

  describe('precision', () => {
    it.each([
      [0.001, 9],
      [1, 6],
      [5, 5],
      [50, 4],
      [100, 3],
      [500, 2],
    ])(
      'takes the finest precision with at most 32 cells (Berlin, %s km → %i)',
      (radiusKm, precision) => {
        const cover = coverCircle(point(52.52, 13.405), radiusKm * KM);

        expect(cover.precision).toBe(precision);
        expect(cover.cells.length).toBeLessThanOrEqual(MAX_COVER_CELLS);
        expect(cover.cells.every((cell) => cell.geohash.length === precision)).toBe(true);
      },
    );

    it('would need more than the cap one precision finer', () => {
      const centre = point(52.52, 13.405);

      const cover = coverCircle(centre, 50 * KM);
      const finer = coverCircle(centre, 50 * KM, 10_000);

      expect(finer.precision).toBe(cover.precision + 1);
      expect(finer.cells.length).toBeGreaterThan(MAX_COVER_CELLS);
    });

    it('never goes coarser than an index partition, even when that takes more cells than the cap', () => {
      const cover = coverCircle(point(-86.5, -180), 500 * KM);

      expect(cover.precision).toBe(GEOHASH_PRECISION.partition);
      expect(cover.cells.length).toBeGreaterThan(MAX_COVER_CELLS);
    });

    it('needs at most 44 queries for the largest radius, wherever the centre', () => {
      // The worst places are within a few degrees of a pole; elsewhere it is far fewer.
      let worst = 0;
      for (let latitude = 80; latitude <= 90; latitude += 0.5) {
        for (const longitude of [-180, -97.3, 0, 45.1, 179.9]) {
          for (const sign of [1, -1]) {
            const cover = coverCircle(point(sign * latitude, longitude), 500 * KM);
            worst = Math.max(worst, cover.cells.length);
          }
        }
      }
      expect(worst).toBeGreaterThan(MAX_COVER_CELLS);
      expect(worst).toBeLessThanOrEqual(44);
    });
  });

  describe('cell edges', () => {
    it('reads the neighbouring cell when the centre sits on its edge (control: the centre cell alone misses it)', () => {
      // Prepare: (0, 0) is the corner of four precision-1 cells; 300 m away in each direction.
      const centre = point(0.0001, 0.0001);
      const across = point(-0.002, -0.002);

      // Act
      const cover = coverCircle(centre, 1 * KM);

      // Assess
      const centreCell = cellHolding(cover, centre);
      const acrossCell = cellHolding(cover, across);
      expect(acrossCell).toBeDefined();
      expect(centreCell).toBeDefined();
      expect(acrossCell?.geohash).not.toBe(centreCell?.geohash);
      expect(eventKeys.nearbyGeohash(across).startsWith(centreCell?.geohash ?? '?')).toBe(false);
      // Different partitions too: the query must leave the centre's partition.
      expect(eventKeys.nearbyPartition(acrossCell?.geohash ?? '')).not.toBe(
        eventKeys.nearbyPartition(centreCell?.geohash ?? ''),
      );
    });
  });

  describe('antimeridian', () => {
    it.each([
      ['east of it (Fiji, 179.9)', point(-17.8, 179.9), point(-17.8, -179.95)],
      ['west of it (-179.9)', point(-17.8, -179.9), point(-17.8, 179.95)],
    ])('covers both sides from %s', (_, centre, acrossTheLine) => {
      const cover = coverCircle(centre, 30 * KM);

      const longitudes = longitudesOf(cover);
      expect(longitudes.some((longitude) => longitude > 179)).toBe(true);
      expect(longitudes.some((longitude) => longitude < -179)).toBe(true);
      expect(distanceMetres(centre, acrossTheLine)).toBeLessThan(30 * KM);
      expect(cellHolding(cover, acrossTheLine)).toBeDefined();
    });

    it('does not wrap the wrong way round the world', () => {
      const cover = coverCircle(point(-17.8, 179.9), 30 * KM);

      expect(longitudesOf(cover).every((longitude) => Math.abs(longitude) > 179)).toBe(true);
    });
  });

  describe('poles', () => {
    it.each([
      ['north', 89.9],
      ['south', -89.9],
    ])('reaches across the %s pole to every longitude', (_, latitude) => {
      const centre = point(latitude, 0);
      const otherSide = point(latitude, 180);

      const cover = coverCircle(centre, 50 * KM);

      expect(distanceMetres(centre, otherSide)).toBeLessThan(50 * KM);
      expect(cellHolding(cover, otherSide)).toBeDefined();
      const longitudes = longitudesOf(cover);
      expect(Math.min(...longitudes)).toBeLessThan(-170);
      expect(Math.max(...longitudes)).toBeGreaterThan(170);
    });

    it('covers the pole itself', () => {
      const cover = coverCircle(point(89.95, 10), 10 * KM);

      expect(cellHolding(cover, point(90, 0))).toBeDefined();
      expect(cellHolding(cover, point(89.99, -170))).toBeDefined();
    });
  });

  describe('many cells', () => {
    it('spreads a radius over many cells, and leaves out cells that cannot reach it', () => {
      const centre = point(52.52, 13.405);

      const cover = coverCircle(centre, 50 * KM);

      expect(cover.cells.length).toBeGreaterThan(16);
      expect(cover.cells.every((cell) => cell.nearestMetres <= 50 * KM)).toBe(true);
      const bounded = ngeohash.bboxes(52, 12.6, 53, 14.2, cover.precision).length;
      expect(cover.cells.length).toBeLessThan(bounded);
    });
  });
});

describe('cellAround', () => {
  it('bounds the distance to every point of the cell', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: GEOHASH_PRECISION.partition, max: GEOHASH_PRECISION.point }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (precision, cellLat, cellLng, centreLat, centreLng, u, v) => {
          const geohash = ngeohash.encode(cellLat, cellLng, precision);
          const [minLat, minLon, maxLat, maxLon] = ngeohash.decode_bbox(geohash);
          const inside = point(minLat + u * (maxLat - minLat), minLon + v * (maxLon - minLon));
          const centre = point(centreLat, centreLng);

          const cell = cellAround(geohash, centre);

          const distance = distanceMetres(centre, inside);
          expect(cell.nearestMetres).toBeLessThanOrEqual(distance);
          expect(cell.farthestMetres).toBeGreaterThanOrEqual(distance);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('childCells', () => {
  it.each(['u3', 'ru', 'u33d', 'zzzzzzzz'])(
    'tiles %s with its 32 children, in sort order',
    (cell) => {
      const [minLat, minLon, maxLat, maxLon] = ngeohash.decode_bbox(cell);
      // The library's own list of the cells one level down inside the parent's interior.
      const margin = 1e-9;
      const expected = ngeohash.bboxes(
        minLat + margin,
        minLon + margin,
        maxLat - margin,
        maxLon - margin,
        cell.length + 1,
      );

      const children = childCells(cell);

      expect([...children].sort()).toEqual([...expected].sort());
      expect(children).toEqual([...children].sort());
    },
  );
});
