import * as z from 'zod';
import type { FieldError } from './errors.js';
import { plainText } from './plain-text.js';

/*
 * Reserved seating. The layout (sections → rows → seat counts, and each section's ticket
 * type) lives on the event; seats themselves are not stored until one is taken, so a
 * seat map is the layout with the taken seats laid over it (`seatMapPage`).
 */

export const SEATING_LIMITS = {
  seatsPerRow: { min: 1, max: 200 },
  seatsPerEvent: 100_000,
  /**
   * The layout is stored on the event's META item and shown with the event: 1,000 rows
   * keep both at about 40 KB, while 100,000 seats need only 500 rows of 200.
   */
  rowsPerEvent: 1_000,
  sectionsPerEvent: 100,
  /**
   * Every change of a seated order writes each of its seats in the same transaction as
   * the order's own items (3 for a hold, up to 5 for a later change), and DynamoDB takes
   * at most 100 items per transaction: 90 seats leave room to spare.
   */
  seatsPerOrder: 90,
  /** A seat map is read whole by clients, so its pages are larger than other lists'. */
  seatsPerPage: { default: 100, max: 1_000 },
} as const;

export const SEAT_STATUSES = ['AVAILABLE', 'HELD', 'SOLD'] as const;
export type SeatStatus = (typeof SEAT_STATUSES)[number];

// Seat ids join section, row and number with `-` (SPEC), so neither name may contain one.
export const sectionName = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,30}$/, 'must be 1–30 letters, digits or _ (seat ids are joined with -)');
const rowLabel = z
  .string()
  .regex(/^[A-Za-z0-9]{1,10}$/, 'must be 1–10 letters or digits (seat ids are joined with -)');

export const seatingSchema = z.strictObject({
  sections: z
    .array(
      z.strictObject({
        name: sectionName,
        ticketType: plainText(100).meta({
          description: "The name of one of the event's ticket types",
        }),
        rows: z
          .array(
            z.strictObject({
              label: rowLabel,
              seats: z
                .int()
                .min(SEATING_LIMITS.seatsPerRow.min)
                .max(SEATING_LIMITS.seatsPerRow.max)
                .meta({ description: 'Seats numbered 1 to this' }),
            }),
          )
          .min(1)
          .max(SEATING_LIMITS.rowsPerEvent)
          .meta({ description: 'Front to back: the first row is the best' }),
      }),
    )
    .min(1)
    .max(SEATING_LIMITS.sectionsPerEvent),
});
/** The layout as clients send and see it: each section names its ticket type. */
export type Seating = z.infer<typeof seatingSchema>;

/**
 * The layout as stored: each section points at its ticket type by id, so renaming the
 * type keeps its seats.
 */
export interface SeatingLayout {
  sections: {
    name: string;
    ticketTypeId: string;
    rows: { label: string; seats: number }[];
  }[];
}

export const seatId = (section: string, row: string, number: number): string =>
  `${section}-${row}-${number}`;

/** A seat id as `seatId` writes it; whether the layout has that seat is checked apart. */
export const seatIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_]{1,30}-[A-Za-z0-9]{1,10}-[1-9][0-9]{0,2}$/,
    'must be a seat id: <section>-<row>-<number>, e.g. Stalls-A-12',
  );

export interface SeatPlace {
  section: string;
  row: string;
  number: number;
}

/** The place a seat id names, or null when it is not shaped like one. */
export function parseSeatId(id: string): SeatPlace | null {
  const [section, row, number, ...rest] = id.split('-');
  if (section === undefined || row === undefined || rest.length > 0) return null;
  if (!/^[1-9][0-9]{0,2}$/.test(number ?? '')) return null;
  return { section, row, number: Number(number) };
}

/** A seat of the layout, with the ticket type its section sells. */
export interface LocatedSeat extends SeatPlace {
  id: string;
  ticketTypeId: string;
}

/** The seat of `layout` that `id` names, or null when the layout has no such seat. */
export function locateSeat(layout: SeatingLayout | undefined, id: string): LocatedSeat | null {
  const place = parseSeatId(id);
  if (!place) return null;
  const section = layout?.sections.find(({ name }) => name === place.section);
  const row = section?.rows.find(({ label }) => label === place.row);
  if (!section || !row || place.number > row.seats) return null;
  return { id, ...place, ticketTypeId: section.ticketTypeId };
}

/**
 * Every fault of a layout that the request schema cannot see, each at its path:
 * duplicate section names and row labels, a ticket type that is not one of `ticketTypeNames`
 * (a type may serve several sections), and the per-event limits.
 */
export function seatingFaults(seating: Seating, ticketTypeNames: readonly string[]): FieldError[] {
  const faults: FieldError[] = [];
  const at = (path: string) => `body.seating${path}`;
  const names = new Set(ticketTypeNames);
  const sections = new Set<string>();
  let rows = 0;
  let seats = 0;
  for (const [s, section] of seating.sections.entries()) {
    if (sections.has(section.name)) {
      faults.push({
        path: at(`.sections.${s}.name`),
        message: `duplicate section "${section.name}"`,
      });
    }
    sections.add(section.name);
    if (!names.has(section.ticketType)) {
      faults.push({
        path: at(`.sections.${s}.ticketType`),
        message: `no ticket type named "${section.ticketType}" in this event`,
      });
    }
    const labels = new Set<string>();
    for (const [r, row] of section.rows.entries()) {
      if (labels.has(row.label)) {
        faults.push({
          path: at(`.sections.${s}.rows.${r}.label`),
          message: `duplicate row "${row.label}" in section "${section.name}"`,
        });
      }
      labels.add(row.label);
      seats += row.seats;
    }
    rows += section.rows.length;
  }
  if (rows > SEATING_LIMITS.rowsPerEvent) {
    faults.push({
      path: at(''),
      message: `an event has at most ${SEATING_LIMITS.rowsPerEvent} rows; this layout has ${rows}`,
    });
  }
  if (seats > SEATING_LIMITS.seatsPerEvent) {
    faults.push({
      path: at(''),
      message: `an event has at most ${SEATING_LIMITS.seatsPerEvent} seats; this layout has ${seats}`,
    });
  }
  return faults;
}

/**
 * The stored form of a layout that passed `seatingFaults` against these ticket types.
 * Throws on a name it cannot resolve: that is a caller that skipped the check.
 */
export function toLayout(
  seating: Seating,
  ticketTypes: readonly { id: string; name: string }[],
): SeatingLayout {
  return {
    sections: seating.sections.map(({ name, ticketType, rows }) => {
      const found = ticketTypes.find((candidate) => candidate.name === ticketType);
      if (!found) throw new Error(`unchecked layout: no ticket type "${ticketType}"`);
      return {
        name,
        ticketTypeId: found.id,
        rows: rows.map(({ label, seats }) => ({ label, seats })),
      };
    }),
  };
}

/**
 * Why `after` is not a growth of a published event's `before`, or null when it is: every
 * section stays, of the same ticket type, with every row it had, same label, same seat
 * count, in the same order; new rows and new sections may come anywhere. Seats already
 * sold or held keep their id, their place and their rank, and no seat disappears, so
 * no order's seats can be lost; the seated capacities grow by the new seats.
 */
export function layoutGrowthFault(
  before: SeatingLayout | undefined,
  after: SeatingLayout,
  newTicketTypeIds: ReadonlySet<string>,
): string | null {
  const previous = before?.sections ?? [];
  const seated = new Set(previous.map(({ ticketTypeId }) => ticketTypeId));
  for (const old of previous) {
    const section = after.sections.find(({ name }) => name === old.name);
    if (!section) return `section ${old.name} would be removed`;
    if (section.ticketTypeId !== old.ticketTypeId) {
      return `section ${old.name} would change its ticket type`;
    }
    let at = 0;
    for (const row of old.rows) {
      const found = section.rows.findIndex(({ label }) => label === row.label);
      if (found < 0) return `row ${old.name}-${row.label} would be removed`;
      if (section.rows[found]?.seats !== row.seats) {
        return `row ${old.name}-${row.label} would change its number of seats`;
      }
      if (found < at) return `rows of section ${old.name} would change their order`;
      at = found;
    }
  }
  for (const section of after.sections) {
    const added = !previous.some(({ name }) => name === section.name);
    const unseatedType =
      !seated.has(section.ticketTypeId) && !newTicketTypeIds.has(section.ticketTypeId);
    // A type sold by count has no seats to give its buyers: it cannot become seated now.
    if (added && unseatedType) return `section ${section.name} would seat a type sold by count`;
  }
  return null;
}

export function toSeating(
  layout: SeatingLayout,
  ticketTypes: readonly { id: string; name: string }[],
): Seating {
  return {
    sections: layout.sections.map(({ name, ticketTypeId, rows }) => ({
      name,
      ticketType: ticketTypes.find(({ id }) => id === ticketTypeId)?.name ?? ticketTypeId,
      rows: rows.map(({ label, seats }) => ({ label, seats })),
    })),
  };
}

/** Seats per ticket type, keyed by `key` (the stored id, or the name a request uses). */
export function seatsBy<S extends { rows: readonly { seats: number }[] }>(
  sections: readonly S[],
  key: (section: S) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const section of sections) {
    const seats = section.rows.reduce((sum, row) => sum + row.seats, 0);
    counts.set(key(section), (counts.get(key(section)) ?? 0) + seats);
  }
  return counts;
}

/*
 * Capacity rules: a seated type's capacity is its seat count (`seats`; undefined when the
 * type has none). Each rule answers the capacity the type gets, or the fault at `path`.
 */

/** A new type may restate its seat count; a type without seats needs a capacity. */
export function newTypeCapacity(
  sent: number | undefined,
  seats: number | undefined,
  path: string,
): number | FieldError {
  if (seats !== undefined) {
    return sent === undefined || sent === seats
      ? seats
      : {
          path,
          message: `a seated ticket type's capacity is its seat count, ${seats}: omit it or send that`,
        };
  }
  return sent ?? { path, message: 'required for a ticket type without seats' };
}

/** A change may not set a seated type's capacity at all: it follows the layout. */
export function changedCapacity(
  sent: number | undefined,
  seats: number | undefined,
  current: number,
  path: string,
): number | FieldError {
  if (seats === undefined) return sent ?? current;
  return sent === undefined
    ? seats
    : { path, message: `a seated ticket type's capacity follows its layout (${seats} seats)` };
}

export const isFault = (result: number | FieldError): result is FieldError =>
  typeof result !== 'number';
