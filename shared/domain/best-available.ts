import type { TakenSeat } from './seat-map.js';
import type { SeatingLayout } from './seating-model.js';
import { seatId } from './seating-model.js';

export interface BestAvailableRequest {
  ticketTypeId: string;
  quantity: number;
  section?: string;
}

/** A row the request may take seats from, with which of its seats are free. */
interface CandidateRow {
  section: string;
  label: string;
  /** Front to back within its section: rows with the same depth are equally good. */
  depth: number;
  free: boolean[];
}

/**
 * The seats a best-available hold takes (SPEC, Reserved seating), or null when fewer than
 * `quantity` seats of the type are free. Pure, so the hold can pick again from a fresh
 * read each time a concurrent buyer takes some of its seats first.
 *
 * Rows rank by depth (a section's first row is its best), then by section in layout
 * order. The best depth with `quantity` side by side wins; within it, the run leaving the
 * fewest single orphan seats, then the earlier row, then the lower seat numbers. With no
 * row wide enough, the seats come from the fewest rows, best first.
 */
export function pickBestSeats(
  layout: SeatingLayout | undefined,
  taken: readonly TakenSeat[],
  request: BestAvailableRequest,
): string[] | null {
  const rows = candidateRows(layout, taken, request);
  return inOneRow(rows, request.quantity) ?? acrossRows(rows, request.quantity);
}

function candidateRows(
  layout: SeatingLayout | undefined,
  taken: readonly TakenSeat[],
  { ticketTypeId, section }: BestAvailableRequest,
): CandidateRow[] {
  const takenIds = new Set(taken.map(({ id }) => id));
  const rows: CandidateRow[] = [];
  for (const candidate of layout?.sections ?? []) {
    if (candidate.ticketTypeId !== ticketTypeId) continue;
    if (section !== undefined && candidate.name !== section) continue;
    for (const [depth, row] of candidate.rows.entries()) {
      const free = Array.from(
        { length: row.seats },
        (_, index) => !takenIds.has(seatId(candidate.name, row.label, index + 1)),
      );
      rows.push({ section: candidate.name, label: row.label, depth, free });
    }
  }
  // A stable sort keeps layout order among rows of the same depth.
  return rows.sort((a, b) => a.depth - b.depth);
}

const idsOf = (row: CandidateRow, start: number, count: number): string[] =>
  Array.from({ length: count }, (_, offset) => seatId(row.section, row.label, start + offset + 1));

/**
 * Single orphans a run [start, end) leaves: a free seat beside it with a taken seat or
 * the row's end right behind it, which nobody buying two or more can use.
 */
function orphansBeside(free: readonly boolean[], start: number, end: number): number {
  const orphanAt = (seat: number, beyond: number) =>
    free[seat] === true && free[beyond] !== true ? 1 : 0;
  return (start > 0 ? orphanAt(start - 1, start - 2) : 0) + orphanAt(end, end + 1);
}

function inOneRow(rows: readonly CandidateRow[], quantity: number): string[] | null {
  let best: { row: CandidateRow; start: number; orphans: number } | null = null;
  for (const row of rows) {
    // A deeper row is worse whatever its orphans: stop at the first depth that fits.
    if (best && row.depth > best.row.depth) break;
    let run = 0;
    for (let seat = 0; seat < row.free.length; seat++) {
      run = row.free[seat] ? run + 1 : 0;
      if (run < quantity) continue;
      const start = seat - quantity + 1;
      const orphans = orphansBeside(row.free, start, seat + 1);
      if (!best || orphans < best.orphans) best = { row, start, orphans };
    }
  }
  return best && idsOf(best.row, best.start, quantity);
}

const freeCount = (row: CandidateRow): number => row.free.filter(Boolean).length;

/**
 * No row has `quantity` side by side: the fewest rows that hold them, and of those the
 * best (each chosen row as good as the count allows), filling better rows first.
 */
function acrossRows(rows: readonly CandidateRow[], quantity: number): string[] | null {
  const counts = rows.map(freeCount);
  const largestFirst = [...counts].sort((a, b) => b - a);
  let rowsNeeded = 0;
  for (let sum = 0; sum < quantity; rowsNeeded++) {
    const next = largestFirst[rowsNeeded];
    if (next === undefined) return null;
    sum += next;
  }
  const chosen: number[] = [];
  let sum = 0;
  for (let index = 0; index < rows.length && chosen.length < rowsNeeded; index++) {
    const count = counts[index] ?? 0;
    const stillToChoose = rowsNeeded - chosen.length - 1;
    // Take this row only if the best rows after it can still make up the rest.
    const rest = counts
      .slice(index + 1)
      .sort((a, b) => b - a)
      .slice(0, stillToChoose)
      .reduce((total, each) => total + each, 0);
    if (count > 0 && sum + count + rest >= quantity) {
      chosen.push(index);
      sum += count;
    }
  }
  const seats: string[] = [];
  for (const index of chosen) {
    const row = rows[index] as CandidateRow;
    seats.push(...largestRunsFirst(row, Math.min(quantity - seats.length, freeCount(row))));
  }
  return seats;
}

/** `count` free seats of a row, from its longest runs first to keep the party together. */
function largestRunsFirst(row: CandidateRow, count: number): string[] {
  const runs: { start: number; length: number }[] = [];
  for (let seat = 0; seat < row.free.length; seat++) {
    if (!row.free[seat]) continue;
    const last = runs.at(-1);
    if (last && last.start + last.length === seat) last.length++;
    else runs.push({ start: seat, length: 1 });
  }
  runs.sort((a, b) => b.length - a.length || a.start - b.start);
  const seats: string[] = [];
  for (const run of runs) {
    const take = Math.min(run.length, count - seats.length);
    seats.push(...idsOf(row, run.start, take));
    if (seats.length === count) break;
  }
  return seats;
}
