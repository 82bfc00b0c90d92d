/**
 * The seated scenario's seat maps, on the client side: the layouts it creates, the
 * adjacent pairs a buyer can choose from, and the orphan seats a sale leaves behind.
 */
import { seatId } from '../shared/domain/seating-model.js';

export interface BenchLayout {
  sections: { name: string; rows: { label: string; seats: number }[] }[];
}

/** `sections` × `rows` × `seatsPerRow`, rows labelled R1, R2, … front to back. */
export function gridLayout(sections: readonly string[], rows: number, seatsPerRow: number) {
  return {
    sections: sections.map((name) => ({
      name,
      rows: Array.from({ length: rows }, (_, index) => ({
        label: `R${index + 1}`,
        seats: seatsPerRow,
      })),
    })),
  } satisfies BenchLayout;
}

export const seatCount = (layout: BenchLayout): number =>
  layout.sections.reduce(
    (sum, { rows }) => sum + rows.reduce((inner, row) => inner + row.seats, 0),
    0,
  );

/** `2,000 seats in 2 sections × 20 rows × 50` for a grid; just the count otherwise. */
export function describeLayout(layout: BenchLayout): string {
  const rows = layout.sections.map((section) => section.rows.length);
  const widths = layout.sections.flatMap((section) => section.rows.map((row) => row.seats));
  const grid = new Set(rows).size === 1 && new Set(widths).size === 1;
  const count = seatCount(layout).toLocaleString('en');
  return `${count} seats${grid ? ` in ${rows.length} sections × ${rows[0]} rows × ${widths[0]}` : ''}`;
}

/** A seat as the seat map lists it. */
export interface MapSeat {
  id: string;
  section: string;
  row: string;
  number: number;
}

/** Every pair of available seats side by side in one row, as seat ids. */
export function adjacentPairs(available: readonly MapSeat[]): [string, string][] {
  const ids = new Set(available.map(({ id }) => id));
  const pairs: [string, string][] = [];
  for (const seat of available) {
    const next = seatId(seat.section, seat.row, seat.number + 1);
    if (ids.has(next)) pairs.push([seat.id, next]);
  }
  return pairs;
}

/**
 * Available seats that nobody buying two or more together can use: each neighbour in
 * its row is taken or the row's end. A row with nothing taken has none.
 */
export function orphanSeats(layout: BenchLayout, taken: ReadonlySet<string>): number {
  let orphans = 0;
  for (const section of layout.sections) {
    for (const row of section.rows) {
      const free = (number: number) =>
        number >= 1 && number <= row.seats && !taken.has(seatId(section.name, row.label, number));
      const anyTaken = Array.from({ length: row.seats }, (_, i) => i + 1).some((n) => !free(n));
      if (!anyTaken) continue;
      for (let number = 1; number <= row.seats; number++) {
        if (free(number) && !free(number - 1) && !free(number + 1)) orphans++;
      }
    }
  }
  return orphans;
}
