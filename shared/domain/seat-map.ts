import * as z from 'zod';
import { ValidationFailed } from './errors.js';
import type { Page } from './page.js';
import { queryInteger } from './query-params.js';
import {
  SEAT_STATUSES,
  SEATING_LIMITS,
  type SeatingLayout,
  type SeatStatus,
  seatId,
  sectionName,
} from './seating-model.js';

/*
 * The seat map as clients read it (`GET /v1/events/{eventId}/seats`): the layout with
 * the taken seats laid over it, a page at a time, in layout order.
 */

export const seatsQuerySchema = z.strictObject({
  section: sectionName.optional(),
  status: z.enum(SEAT_STATUSES).optional(),
  limit: queryInteger(
    1,
    SEATING_LIMITS.seatsPerPage.max,
    `Seats per page, at most ${SEATING_LIMITS.seatsPerPage.max}`,
  ).prefault(SEATING_LIMITS.seatsPerPage.default),
  cursor: z.string().min(1).max(200).optional(),
});
export type SeatsQuery = z.infer<typeof seatsQuerySchema>;

export interface SeatView {
  id: string;
  section: string;
  row: string;
  number: number;
  ticketTypeId: string;
  status: SeatStatus;
}

/** A seat someone holds or has bought; every other seat of the layout is available. */
export interface TakenSeat {
  id: string;
  status: Exclude<SeatStatus, 'AVAILABLE'>;
}

/**
 * One page of the seat map, in layout order (sections, rows front to back, seats 1..n).
 * The cursor is the position of the next seat in the whole layout, tied to the filters
 * that produced it; a cursor of another query, or forged, is a 400.
 */
export function seatMapPage(
  layout: SeatingLayout | undefined,
  taken: readonly TakenSeat[],
  query: SeatsQuery,
): Page<SeatView> {
  const sections = layout?.sections ?? [];
  const total = sections.reduce(
    (sum, { rows }) => sum + rows.reduce((inner, row) => inner + row.seats, 0),
    0,
  );
  const filters = { section: query.section ?? null, status: query.status ?? null };
  const start = query.cursor === undefined ? 0 : decodeSeatCursor(query.cursor, filters, total);
  const statusOf = new Map(taken.map((seat) => [seat.id, seat.status]));
  const items: SeatView[] = [];
  let position = 0;
  for (const section of sections) {
    for (const row of section.rows) {
      const rowEnd = position + row.seats;
      if (filters.section !== null && section.name !== filters.section) {
        position = rowEnd;
        continue;
      }
      // Rows wholly before the cursor start past their last seat, so they add nothing.
      for (let number = Math.max(1, start - position + 1); number <= row.seats; number++) {
        const id = seatId(section.name, row.label, number);
        const status = statusOf.get(id) ?? 'AVAILABLE';
        if (filters.status !== null && status !== filters.status) continue;
        if (items.length === query.limit) {
          return { items, nextCursor: encodeSeatCursor(position + number - 1, filters) };
        }
        items.push({
          id,
          section: section.name,
          row: row.label,
          number,
          ticketTypeId: section.ticketTypeId,
          status,
        });
      }
      position = rowEnd;
    }
  }
  return { items, nextCursor: null };
}

interface SeatFilters {
  section: string | null;
  status: SeatStatus | null;
}

function encodeSeatCursor(at: number, filters: SeatFilters): string {
  return Buffer.from(JSON.stringify({ at, ...filters })).toString('base64url');
}

function decodeSeatCursor(cursor: string, filters: SeatFilters, total: number): number {
  let at: unknown;
  try {
    at = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown }).at;
  } catch {
    at = undefined;
  }
  // Only a cursor this very query could have produced: byte for byte what it would have
  // encoded, under the same filters, for a seat inside the layout.
  const valid =
    typeof at === 'number' &&
    Number.isInteger(at) &&
    at > 0 &&
    at < total &&
    encodeSeatCursor(at, filters) === cursor;
  if (!valid) {
    throw new ValidationFailed('The cursor is not valid for this query', [
      { path: 'query.cursor', message: 'use the nextCursor of the same query' },
    ]);
  }
  return at as number;
}
