// One function's module, not the index: geolib's builds are CommonJS, so its index
// brings all of geolib (~20 KB) into every bundle that knows an event.
import getDistanceModule from 'geolib/es/getDistance';
import * as z from 'zod';

/**
 * A CommonJS module's `exports.default`: Node's own loader hands an ES import the whole
 * `module.exports`, esbuild and tsx the `default` already.
 */
export function commonJsDefault<T>(module: { default: T } | T): T {
  return typeof module === 'object' && module !== null && 'default' in module
    ? module.default
    : (module as T);
}

const getDistance = commonJsDefault(getDistanceModule);

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

/**
 * `near=<latitude>,<longitude>` in decimal degrees, e.g. `near=52.52,13.405`. The
 * metadata describes the string (a query value) in the OpenAPI document.
 */
export const nearSchema = z
  .string()
  .meta({
    description:
      'Centre of a radius search: `latitude,longitude` in decimal degrees. Lists only ' +
      'upcoming published events (startsAt after now) within `radiusKm` of it, nearest ' +
      'first, each with its `distanceKm`; `status` may only be PUBLISHED with it.',
    examples: ['52.52,13.405', '-33.8688,151.2093'],
    pattern: NEAR_FORMAT.source,
  })
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

/** Digits with an optional fraction; `Number()` alone would also take `0x10`, `1e2` and `` (0). */
const DECIMAL_KM = /^\d+(\.\d+)?$/;
const NOT_A_DECIMAL = 'must be a decimal number of kilometres, e.g. 25 or 2.5';

/**
 * Kilometres, more than 0 and at most RADIUS_KM.max, as a plain decimal (`25`, `2.5`).
 * Query values are strings: only a plain decimal one becomes a number; anything else
 * (``, `abc`, `0x10`, `1e2`, `-5`) fails as not a number. A number passes as it is.
 *
 * Documented as the number it parses to. The metadata sits on that number: zod leaves
 * examples and defaults of a transforming schema out of an input-side JSON Schema, so
 * give a default with `.prefault()`, which it does render.
 */
export const radiusKmSchema = z.preprocess(
  (value) => (typeof value === 'string' && DECIMAL_KM.test(value) ? Number(value) : value),
  z
    .number({ error: NOT_A_DECIMAL })
    .gt(0, 'must be more than 0')
    .max(RADIUS_KM.max, `must be at most ${RADIUS_KM.max}`)
    .meta({
      description:
        'Radius of the search in kilometres (great-circle distance): more than 0, at most ' +
        `${RADIUS_KM.max}, default ${RADIUS_KM.default}; a plain decimal such as \`25\` or \`2.5\`.`,
      examples: [25, 2.5],
    }),
);

/**
 * Great-circle distance in whole metres (geolib: a sphere of radius 6,378,137 m). Every
 * radius filter, sort and `distanceKm` uses this one function, so they always agree.
 */
export function distanceMetres(from: GeoPoint, to: GeoPoint): number {
  return getDistance(from, to);
}

/** What clients see: kilometres with 3 decimals, i.e. exactly the metres measured. */
export const metresToKm = (metres: number): number => metres / 1000;
