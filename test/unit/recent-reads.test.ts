import { describe, expect, it } from 'vitest';
import type { EventState } from '../../shared/domain/event-model.js';
import type { EventRepository } from '../../shared/domain/event-ports.js';
import { EventService } from '../../shared/domain/events.js';
import { RecentReads } from '../../shared/domain/recent-reads.js';
import {
  eventState,
  principals,
  sequentialIds,
  ticketTypeState,
} from '../support/events-fixtures.js';

function manualClock(start = 0) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('RecentReads', () => {
  it('serves a read again until the window has passed since it started, then reads anew', async () => {
    // Prepare
    const clock = manualClock();
    const memo = new RecentReads<number>(clock, { windowMs: 1000, maxEntries: 10 });
    let reads = 0;
    const read = async () => ++reads;

    // Act + Assess
    expect(await memo.get('a', read)).toBe(1);
    clock.advance(999);
    expect(await memo.get('a', read)).toBe(1);
    clock.advance(1);
    expect(await memo.get('a', read)).toBe(2);
    expect(reads).toBe(2);
  });

  it('gives callers that arrive during a read that same read', async () => {
    const clock = manualClock();
    const memo = new RecentReads<string>(clock, { windowMs: 1000, maxEntries: 10 });
    let reads = 0;
    let finish: (value: string) => void = () => {};
    const read = () => {
      reads++;
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    };

    const answers = Array.from({ length: 100 }, () => memo.get('hot', read));
    finish('view');

    expect(await Promise.all(answers)).toEqual(Array(100).fill('view'));
    expect(reads).toBe(1);
  });

  it('forgets a failed read, so the next caller reads again', async () => {
    const clock = manualClock();
    const memo = new RecentReads<string>(clock, { windowMs: 1000, maxEntries: 10 });

    await expect(memo.get('a', () => Promise.reject(new Error('throttled')))).rejects.toThrow(
      'throttled',
    );
    expect(await memo.get('a', async () => 'fresh')).toBe('fresh');
  });

  it('keeps at most maxEntries keys, forgetting the oldest read first', async () => {
    const clock = manualClock();
    const memo = new RecentReads<string>(clock, { windowMs: 1000, maxEntries: 2 });
    const reads: string[] = [];
    const read = (key: string) => async () => {
      reads.push(key);
      return key;
    };

    await memo.get('a', read('a'));
    await memo.get('b', read('b'));
    await memo.get('c', read('c'));
    await memo.get('b', read('b'));
    await memo.get('a', read('a'));

    expect(reads).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('EventService reads through RecentReads', () => {
  function service(stored: () => EventState | null) {
    const clock = manualClock(Date.parse('2030-01-01T00:00:00Z'));
    const reads: boolean[] = [];
    const repository = {
      get: async (_eventId: string, options?: { consistent: boolean }) => {
        reads.push(options?.consistent ?? true);
        return stored();
      },
    } as unknown as EventRepository;
    const memo = new RecentReads<EventState | null>(clock, { windowMs: 1000, maxEntries: 10 });
    return {
      events: new EventService(repository, clock, sequentialIds(), () => {}, undefined, memo),
      clock,
      reads,
    };
  }

  it('serves anonymous callers and customers one eventually consistent read per window', async () => {
    let capacity = 10;
    const { events, clock, reads } = service(() =>
      eventState({
        id: 'e1',
        status: 'PUBLISHED',
        ticketTypes: [ticketTypeState({ capacity, available: capacity })],
      }),
    );

    const first = await events.get(principals.anonymous(), 'e1');
    capacity = 20;
    const second = await events.get(principals.customer(), 'e1');
    clock.advance(1000);
    const third = await events.get(principals.anonymous(), 'e1');

    expect(first.ticketTypes[0]?.capacity).toBe(10);
    expect(second.ticketTypes[0]?.capacity).toBe(10);
    expect(third.ticketTypes[0]?.capacity).toBe(20);
    expect(reads).toEqual([false, false]);
  });

  it('reads strongly consistently for organizers and admins, every time', async () => {
    let capacity = 10;
    const { events, reads } = service(() =>
      eventState({
        id: 'e1',
        organizerId: 'org-1',
        status: 'PUBLISHED',
        ticketTypes: [ticketTypeState({ capacity, available: capacity })],
      }),
    );

    await events.get(principals.anonymous(), 'e1');
    capacity = 20;
    const organizer = await events.get(principals.organizer('org-1'), 'e1');
    const admin = await events.get(principals.admin(), 'e1');

    expect(organizer.ticketTypes[0]?.capacity).toBe(20);
    expect(admin.ticketTypes[0]?.capacity).toBe(20);
    expect(reads).toEqual([false, true, true]);
  });

  it('keeps a remembered draft hidden from those who may not manage it', async () => {
    const { events } = service(() => eventState({ id: 'e1', status: 'DRAFT' }));

    await expect(events.get(principals.anonymous(), 'e1')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(events.get(principals.customer(), 'e1')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
