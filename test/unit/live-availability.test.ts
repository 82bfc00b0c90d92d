import { describe, expect, it } from 'vitest';
import {
  afterRefusal,
  LIVE_LIMITS,
  pendingPushes,
  pushMessages,
} from '../../shared/domain/live-availability.js';

const RECEIVED = 1_000_000;

describe('afterRefusal: what a batch refused its window does', () => {
  it('is covered by a push claimed after it arrived, which read after its records', () => {
    const window = { startedAt: RECEIVED + 1, leaseUntil: RECEIVED + 5_000 };

    expect(afterRefusal(window, { seats: 0, receivedAt: RECEIVED }, RECEIVED + 2)).toEqual({
      covered: true,
    });
  });

  it('is not covered by a push claimed in the same millisecond: that one may have read first', () => {
    const window = { startedAt: RECEIVED, endedAt: RECEIVED + 1 };

    expect(afterRefusal(window, { seats: 0, receivedAt: RECEIVED }, RECEIVED + 2)).toEqual({
      retryInMs: LIVE_LIMITS.pushIntervalMs - 1,
    });
  });

  it('waits for the window to open after a push claimed before it arrived', () => {
    const window = { startedAt: RECEIVED - 300, endedAt: RECEIVED - 100 };

    expect(afterRefusal(window, { seats: 0, receivedAt: RECEIVED }, RECEIVED)).toEqual({
      retryInMs: 400,
    });
  });

  it('looks again shortly while a push is under way', () => {
    const window = { startedAt: RECEIVED - 10, leaseUntil: RECEIVED + 10_000 };

    expect(afterRefusal(window, { seats: 0, receivedAt: RECEIVED }, RECEIVED)).toEqual({
      retryInMs: LIVE_LIMITS.leasePollMs,
    });
  });

  it('never counts seat changes as covered: another push does not know them', () => {
    const window = { startedAt: RECEIVED + 50, leaseUntil: RECEIVED + 60 };

    expect(afterRefusal(window, { seats: 2, receivedAt: RECEIVED }, RECEIVED + 55)).toEqual({
      retryInMs: 6,
    });
  });
});

describe('one push per event per batch', () => {
  it('groups changes by event, keeps the first reference and each seat at its last status', () => {
    const pushes = pendingPushes([
      { change: { kind: 'seat', eventId: 'a', seat: { id: 'S-A-1', status: 'HELD' } }, ref: 1 },
      { change: { kind: 'availability', eventId: 'b' }, ref: 2 },
      { change: { kind: 'availability', eventId: 'a' }, ref: 3 },
      { change: { kind: 'seat', eventId: 'a', seat: { id: 'S-A-1', status: 'SOLD' } }, ref: 4 },
    ]);

    expect([...pushes]).toEqual([
      ['a', { availability: true, seats: new Map([['S-A-1', 'SOLD']]), firstRef: 1 }],
      ['b', { availability: true, seats: new Map(), firstRef: 2 }],
    ]);
  });

  it('splits many seats into messages of bounded size, after the availability', () => {
    const seats = new Map(
      Array.from(
        { length: LIVE_LIMITS.seatsPerMessage + 1 },
        (_, i) => [`S-A-${i}`, 'HELD'] as const,
      ),
    );

    const messages = pushMessages('e', { status: 'PUBLISHED', ticketTypes: [] }, seats);

    expect(messages.map((message) => message.type)).toEqual(['availability', 'seats', 'seats']);
    expect(
      messages.slice(1).map((message) => ('seats' in message ? message.seats.length : 0)),
    ).toEqual([LIVE_LIMITS.seatsPerMessage, 1]);
  });
});
