import { describe, expect, it } from 'vitest';
import type { EventRepository, NearbyListing } from '../../shared/domain/event-ports.js';
import { EventService, isListedNearby } from '../../shared/domain/events.js';
import { eventState, sequentialIds } from '../support/events-fixtures.js';

const NOW = '2030-01-01T12:00:00.000Z';

describe('isListedNearby', () => {
  it('holds a published event that starts after the write, and nothing else', () => {
    const at = (status: 'DRAFT' | 'PUBLISHED' | 'CANCELLED', startsAt: string) =>
      isListedNearby(eventState({ status, startsAt }), NOW);

    expect(at('PUBLISHED', '2030-01-01T12:00:00.001Z')).toBe(true);
    expect(at('PUBLISHED', NOW)).toBe(false);
    expect(at('PUBLISHED', '2029-12-31T00:00:00.000Z')).toBe(false);
    expect(at('DRAFT', '2031-01-01T00:00:00.000Z')).toBe(false);
    expect(at('CANCELLED', '2031-01-01T00:00:00.000Z')).toBe(false);
  });
});

describe('EventService.unlistStarted', () => {
  /** Just the two sweep methods; anything else would be a bug here. */
  function fakeRepository(started: NearbyListing[], failing: Set<string>, stale: Set<string>) {
    const calls = { due: [] as [string, number][], unlist: [] as [string, string][] };
    const repository = {
      startedNearby: async (now: string, limit: number) => {
        calls.due.push([now, limit]);
        return started.slice(0, limit);
      },
      unlistNearby: async (eventId: string, now: string) => {
        calls.unlist.push([eventId, now]);
        if (failing.has(eventId)) throw new Error(`boom ${eventId}`);
        return !stale.has(eventId);
      },
    } as unknown as EventRepository;
    return { repository, calls };
  }

  const listing = (eventId: string): NearbyListing => ({ eventId, startsAt: NOW });

  it('unlists each started event at the same now, and counts only the removals', async () => {
    const { repository, calls } = fakeRepository(
      ['a', 'b', 'c'].map(listing),
      new Set(),
      new Set(['b']),
    );
    const service = new EventService(repository, { now: () => new Date(NOW) }, sequentialIds());

    expect(await service.unlistStarted()).toEqual({ unlisted: 2 });
    expect(calls.due).toEqual([[NOW, 100]]);
    expect(calls.unlist).toEqual([
      ['a', NOW],
      ['b', NOW],
      ['c', NOW],
    ]);
  });

  it('reports a failing event and still unlists the ones behind it', async () => {
    const { repository, calls } = fakeRepository(
      ['a', 'b', 'c'].map(listing),
      new Set(['a']),
      new Set(),
    );
    const reported: { message: string; error: unknown }[] = [];
    const service = new EventService(
      repository,
      { now: () => new Date(NOW) },
      sequentialIds(),
      (message, error) => reported.push({ message, error }),
    );

    const result = await service.unlistStarted(2);

    expect(result).toEqual({ unlisted: 1 });
    expect(calls.due).toEqual([[NOW, 2]]);
    expect(calls.unlist.map(([id]) => id)).toEqual(['a', 'b']);
    expect(reported).toEqual([
      {
        message: 'Sweep could not take event a out of the nearby index',
        error: new Error('boom a'),
      },
    ]);
  });
});
