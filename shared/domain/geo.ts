import { getDistance } from 'geolib';
import { z } from 'zod';

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/** A radius search: everything within `radiusKm` (great-circle) of `centre`. */
export interface GeoCircle {
  centre: GeoPoint;
  radiusKm: number;
}

/** `radiusKm` when a radius search names none, and the most it may be. */
export const RADIUS_KM = { default: 50, max: 500 } as const;

export const geoPointSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});

const NEAR_FORMAT = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*,\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*$/;

/** `near=<latitude>,<longitude>` in decimal degrees, e.g. `near=52.52,13.405`. */
export const nearSchema = z
  .string()
  .transform((value, context) => {
    const match = NEAR_FORMAT.exec(value);
    if (!match) {
      context.addIssue({
        code: 'custom',
        message: 'must be "latitude,longitude" in decimal degrees',
      });
      return z.NEVER;
    }
    return { latitude: Number(match[1]), longitude: Number(match[2]) };
  })
  .pipe(geoPointSchema);

export const radiusKmSchema = z.coerce.number().positive().max(RADIUS_KM.max);

/**
 * Great-circle distance in whole metres (geolib: a sphere of radius 6,378,137 m). Every
 * radius filter, sort and `distanceKm` uses this one function, so they always agree.
 */
export function distanceMetres(from: GeoPoint, to: GeoPoint): number {
  return getDistance(from, to);
}

/** What clients see: kilometres with 3 decimals, i.e. exactly the metres measured. */
export const metresToKm = (metres: number): number => metres / 1000;
