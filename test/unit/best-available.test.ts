import { describe, expect, it } from 'vitest';
import { pickBestSeats } from '../../shared/domain/best-available.js';
import type { TakenSeat } from '../../shared/domain/seat-map.js';
import type { SeatingLayout } from '../../shared/domain/seating-model.js';

/** Rows A, B, C… of the given seat counts. */
const section = (name: string, ticketTypeId: string, ...seats: number[]) => ({
  name,
  ticketTypeId,
  rows: seats.map((count, index) => ({ label: String.fromCharCode(65 + index), seats: count })),
});

const layout = (...sections: SeatingLayout['sections']): SeatingLayout => ({ sections });

const held = (...ids: string[]): TakenSeat[] => ids.map((id) => ({ id, status: 'HELD' }));

/** Seats `from`..`to` of one row, as ids. */
const seats = (row: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, offset) => `${row}-${from + offset}`);

describe('pickBestSeats', () => {
  const stalls = layout(section('S', 'tt-1', 10, 10, 10));

  it('takes adjacent seats in the first row of an empty layout', () => {
    expect(pickBestSeats(stalls, [], { ticketTypeId: 'tt-1', quantity: 3 })).toEqual(
      seats('S-A', 1, 3),
    );
  });

  it('stays in the best row that still has the seats side by side', () => {
    const taken = held(...seats('S-A', 1, 8));
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 2 })).toEqual(
      seats('S-A', 9, 10),
    );
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 3 })).toEqual(
      seats('S-B', 1, 3),
    );
  });

  it('keeps the party together around a taken seat in the middle of a row', () => {
    const taken = held('S-A-5');
    // Seats 1–4 and 6–10 are free: 4 fit on the left without a gap, 5 only on the right.
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 4 })).toEqual(
      seats('S-A', 1, 4),
    );
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 5 })).toEqual(
      seats('S-A', 6, 10),
    );
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 6 })).toEqual(
      seats('S-B', 1, 6),
    );
  });

  it('avoids leaving a single orphan seat when another run in the row does not', () => {
    // Free: 1–3 and 5–10. Taking 1–2 would strand seat 3; taking 2–3 strands seat 1.
    const taken = held('S-A-4');
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 2 })).toEqual(
      seats('S-A', 5, 6),
    );
    // 3 fit exactly in 1–3: no orphan at all.
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 3 })).toEqual(
      seats('S-A', 1, 3),
    );
  });

  it("counts the row's ends as walls for orphans", () => {
    // Free: 1–3 and 7–10. 2–3 would strand seat 1 against the row's start; 7–8 strands none.
    expect(
      pickBestSeats(stalls, held('S-A-4', 'S-A-5', 'S-A-6'), { ticketTypeId: 'tt-1', quantity: 2 }),
    ).toEqual(seats('S-A', 7, 8));
    // Free: 4–6 and 8–10. Every pair strands one (8–9 strands 10 against the row's end), so
    // the lowest numbers win.
    expect(
      pickBestSeats(stalls, held('S-A-1', 'S-A-2', 'S-A-3', 'S-A-7'), {
        ticketTypeId: 'tt-1',
        quantity: 2,
      }),
    ).toEqual(seats('S-A', 4, 5));
  });

  it('leaves an orphan rather than drop to a worse row when nothing else fits', () => {
    // Free: 1–3 only in row A; any 2 of them strand the third.
    const taken = held(...seats('S-A', 4, 10));
    expect(pickBestSeats(stalls, taken, { ticketTypeId: 'tt-1', quantity: 2 })).toEqual(
      seats('S-A', 1, 2),
    );
  });

  it('prefers an equally good row of a later section that leaves no orphan', () => {
    const sides = layout(section('L', 'tt-1', 3, 10), section('R', 'tt-1', 4, 10));
    // Row A of L (3 seats) would strand one; row A of R (4 seats) takes 2 cleanly.
    expect(pickBestSeats(sides, [], { ticketTypeId: 'tt-1', quantity: 2 })).toEqual(
      seats('R-A', 1, 2),
    );
    // Equally good rows without orphans: the section listed first.
    expect(pickBestSeats(sides, [], { ticketTypeId: 'tt-1', quantity: 3 })).toEqual(
      seats('L-A', 1, 3),
    );
    // A front row of a later section beats a back row of the first.
    const frontFull = held(...seats('L-A', 1, 3));
    expect(pickBestSeats(sides, frontFull, { ticketTypeId: 'tt-1', quantity: 3 })).toEqual(
      seats('R-A', 1, 3),
    );
  });

  it('takes only seats of the ticket type, and of the section when one is named', () => {
    const house = layout(
      section('VIP', 'tt-vip', 4),
      section('Left', 'tt-1', 10),
      section('Right', 'tt-1', 10),
    );
    expect(pickBestSeats(house, [], { ticketTypeId: 'tt-1', quantity: 2 })).toEqual(
      seats('Left-A', 1, 2),
    );
    expect(
      pickBestSeats(house, [], { ticketTypeId: 'tt-1', quantity: 2, section: 'Right' }),
    ).toEqual(seats('Right-A', 1, 2));
    // A section of another type, or none by that name, has nothing to offer.
    expect(
      pickBestSeats(house, [], { ticketTypeId: 'tt-1', quantity: 2, section: 'VIP' }),
    ).toBeNull();
    expect(
      pickBestSeats(house, [], { ticketTypeId: 'tt-1', quantity: 2, section: 'Balcony' }),
    ).toBeNull();
  });

  it('splits across the fewest rows, best first, when no row has them side by side', () => {
    const narrow = layout(section('S', 'tt-1', 4, 4, 6, 4));
    // Row A: 2 free, B: 3 free (1 taken in the middle: runs of 1 and 2), C: 6, D: 4.
    const taken = held('S-A-1', 'S-A-2', 'S-B-2', ...seats('S-C', 1, 6));
    // 5 seats: no row has 5 free side by side. Two rows suffice: B (3) + A (2) or B + D…
    // The best pair is A and B: A's 2 seats, then B's 3, longest run first.
    expect(pickBestSeats(narrow, taken, { ticketTypeId: 'tt-1', quantity: 5 })).toEqual([
      'S-A-3',
      'S-A-4',
      'S-B-3',
      'S-B-4',
      'S-B-1',
    ]);
    // 7 seats: A + B hold only 5, so two rows means D (4) with B (3); never three rows.
    expect(pickBestSeats(narrow, taken, { ticketTypeId: 'tt-1', quantity: 7 })).toEqual([
      'S-B-3',
      'S-B-4',
      'S-B-1',
      ...seats('S-D', 1, 4),
    ]);
  });

  it('answers null when fewer seats than asked are free: all or none', () => {
    const small = layout(section('S', 'tt-1', 2, 2));
    expect(pickBestSeats(small, held('S-A-1'), { ticketTypeId: 'tt-1', quantity: 3 })).toEqual([
      'S-A-2',
      'S-B-1',
      'S-B-2',
    ]);
    expect(
      pickBestSeats(small, held('S-A-1', 'S-B-2'), { ticketTypeId: 'tt-1', quantity: 3 }),
    ).toBeNull();
    expect(pickBestSeats(undefined, [], { ticketTypeId: 'tt-1', quantity: 1 })).toBeNull();
    expect(pickBestSeats(small, [], { ticketTypeId: 'tt-other', quantity: 1 })).toBeNull();
  });

  it('treats SOLD seats as taken like HELD ones', () => {
    const sold: TakenSeat[] = seats('S-A', 1, 10).map((id) => ({ id, status: 'SOLD' }));
    expect(pickBestSeats(stalls, sold, { ticketTypeId: 'tt-1', quantity: 1 })).toEqual(['S-B-1']);
  });
});
