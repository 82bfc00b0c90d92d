import { describe, expect, it } from 'vitest';
import type { AuthorizerContext } from '../../shared/http/principal.js';
import { createEvent, createPublishedEvent } from '../support/events-api.js';
import {
  adminContext,
  customerContext,
  organizerContext,
  uniqueToken,
} from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';

/**
 * Every test here owns a time window in a far-future year no other test file uses, or a
 * unique organizer, or a unique name token, so tests sharing the table don't see each other.
 */
let nextYear = 2400;
function ownYear(): number {
  return nextYear++;
}

const at = (year: number, month: number, day: number, hour = 12) =>
  new Date(Date.UTC(year, month - 1, day, hour)).toISOString();

const ids = (items: { id: string }[]) => items.map(({ id }) => id);

/** Follows nextCursor to the end; returns every page. */
async function walk(search: string, as: AuthorizerContext): Promise<{ id: string }[][]> {
  const pages: { id: string }[][] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const url: string = `/v1/events?${search}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await invoke('GET', url, { as });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    pages.push(response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return pages;
  }
  throw new Error('paging did not end');
}

describe('GET /v1/events', () => {
  it('lists only published events by default, sorted by startsAt', async () => {
    // Prepare: created out of order, plus a draft and a cancelled event in the same window
    const organizer = organizerContext();
    const year = ownYear();
    const third = await createPublishedEvent(organizer, { startsAt: at(year, 3, 1) });
    const first = await createPublishedEvent(organizer, { startsAt: at(year, 1, 1) });
    const second = await createPublishedEvent(organizer, { startsAt: at(year, 2, 1) });
    await createEvent(organizer, { startsAt: at(year, 1, 15) });
    const cancelled = await createPublishedEvent(organizer, { startsAt: at(year, 2, 15) });
    await invoke('POST', `/v1/events/${cancelled.id}/cancel`, { as: organizer });

    // Act
    const response = await invoke(
      'GET',
      `/v1/events?from=${at(year, 1, 1, 0)}&to=${at(year, 12, 31)}`,
      { as: customerContext() },
    );

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(ids(response.body.items)).toEqual([first.id, second.id, third.id]);
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.items[0]).toEqual(first);
  });

  it('lists cancelled events with status=CANCELLED', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    await invoke('POST', `/v1/events/${event.id}/cancel`, { as: organizer });

    const response = await invoke(
      'GET',
      `/v1/events?status=CANCELLED&organizerId=${organizer.userId}`,
      { as: customerContext() },
    );

    expect(ids(response.body.items)).toEqual([event.id]);
    expect(response.body.items[0].status).toBe('CANCELLED');
  });

  it('treats from and to as inclusive bounds on startsAt', async () => {
    // Prepare
    const organizer = organizerContext();
    const year = ownYear();
    const before = await createPublishedEvent(organizer, { startsAt: at(year, 5, 1, 9) });
    const onFrom = await createPublishedEvent(organizer, { startsAt: at(year, 5, 1, 10) });
    const inside = await createPublishedEvent(organizer, { startsAt: at(year, 5, 2, 10) });
    const onTo = await createPublishedEvent(organizer, { startsAt: at(year, 5, 3, 10) });
    const after = await createPublishedEvent(organizer, { startsAt: at(year, 5, 3, 11) });
    const as = customerContext();

    // Act
    const both = await invoke(
      'GET',
      `/v1/events?from=${at(year, 5, 1, 10)}&to=${at(year, 5, 3, 10)}`,
      {
        as,
      },
    );
    // The same instants written with another offset select the same events.
    const offsets = await invoke(
      'GET',
      `/v1/events?from=${encodeURIComponent(`${year}-05-01T12:00:00+02:00`)}&to=${encodeURIComponent(`${year}-05-03T05:00:00-05:00`)}`,
      { as },
    );
    const fromOnly = await invoke(
      'GET',
      `/v1/events?organizerId=${organizer.userId}&from=${at(year, 5, 3, 10)}`,
      { as },
    );
    const toOnly = await invoke(
      'GET',
      `/v1/events?organizerId=${organizer.userId}&to=${at(year, 5, 1, 10)}`,
      { as },
    );

    // Assess
    expect(ids(both.body.items)).toEqual([onFrom.id, inside.id, onTo.id]);
    expect(ids(offsets.body.items)).toEqual([onFrom.id, inside.id, onTo.id]);
    expect(ids(fromOnly.body.items)).toEqual([onTo.id, after.id]);
    expect(ids(toOnly.body.items)).toEqual([before.id, onFrom.id]);
  });

  it('filters by q as a case-insensitive "name contains"', async () => {
    const organizer = organizerContext();
    const token = uniqueToken('q');
    const upper = await createPublishedEvent(organizer, {
      name: `Jazz ${token.toUpperCase()} Night`,
      startsAt: at(2031, 1, 2),
    });
    const lower = await createPublishedEvent(organizer, {
      name: `${token}-festival`,
      startsAt: at(2031, 1, 1),
    });
    await createPublishedEvent(organizer, { name: 'Unrelated', startsAt: at(2031, 1, 3) });
    await createEvent(organizer, { name: `Draft ${token}` });

    const response = await invoke('GET', `/v1/events?q=${token.slice(2).toUpperCase()}`, {
      as: customerContext(),
    });

    expect(response.status).toBe(200);
    expect(ids(response.body.items)).toEqual([lower.id, upper.id]);
  });

  it('filters by organizerId', async () => {
    const mine = organizerContext();
    const theirs = organizerContext();
    const a = await createPublishedEvent(mine, { startsAt: at(2031, 2, 1) });
    const b = await createPublishedEvent(mine, { startsAt: at(2031, 2, 2) });
    await createPublishedEvent(theirs, { startsAt: at(2031, 2, 1) });
    await createEvent(mine);

    const response = await invoke('GET', `/v1/events?organizerId=${mine.userId}`, {
      as: customerContext(),
    });

    expect(ids(response.body.items)).toEqual([a.id, b.id]);
  });

  describe('status=DRAFT', () => {
    it('gives an organizer their own drafts only', async () => {
      const organizer = organizerContext();
      const draft = await createEvent(organizer);
      await createPublishedEvent(organizer);
      const othersDraft = await createEvent(organizerContext());

      const response = await invoke('GET', '/v1/events?status=DRAFT', { as: organizer });

      expect(response.status).toBe(200);
      expect(ids(response.body.items)).toEqual([draft.id]);
      expect(ids(response.body.items)).not.toContain(othersDraft.id);
    });

    it("forbids an organizer to list another organizer's drafts", async () => {
      const other = organizerContext();
      await createEvent(other);

      const response = await invoke('GET', `/v1/events?status=DRAFT&organizerId=${other.userId}`, {
        as: organizerContext(),
      });

      expectProblem(response, 403, 'FORBIDDEN');
    });

    it('forbids a customer to list drafts', async () => {
      const response = await invoke('GET', '/v1/events?status=DRAFT', { as: customerContext() });

      expectProblem(response, 403, 'FORBIDDEN');
    });

    it("gives an admin everyone's drafts", async () => {
      const year = ownYear();
      const one = await createEvent(organizerContext(), { startsAt: at(year, 1, 1) });
      const two = await createEvent(organizerContext(), { startsAt: at(year, 1, 2) });
      const admin = adminContext();

      const all = await invoke(
        'GET',
        `/v1/events?status=DRAFT&from=${at(year, 1, 1, 0)}&to=${at(year, 12, 31)}`,
        { as: admin },
      );
      const justOne = await invoke(
        'GET',
        `/v1/events?status=DRAFT&organizerId=${one.organizerId}`,
        {
          as: admin,
        },
      );

      expect(ids(all.body.items)).toEqual([one.id, two.id]);
      expect(ids(justOne.body.items)).toEqual([one.id]);
    });
  });

  describe('paging', () => {
    it('walks an unfiltered listing with limit=2, every item exactly once, in order', async () => {
      // Prepare: 5 published events in a window of their own
      const organizer = organizerContext();
      const year = ownYear();
      const created = [];
      for (const day of [5, 1, 4, 2, 3]) {
        created.push(await createPublishedEvent(organizer, { startsAt: at(year, 1, day) }));
      }
      const expected = ids([...created].sort((a, b) => a.startsAt.localeCompare(b.startsAt)));

      // Act
      const pages = await walk(
        `limit=2&from=${at(year, 1, 1, 0)}&to=${at(year, 12, 31)}`,
        customerContext(),
      );

      // Assess
      expect(pages.every((page) => page.length <= 2)).toBe(true);
      expect(pages.slice(0, 3).map((page) => page.length)).toEqual([2, 2, 1]);
      expect(ids(pages.flat())).toEqual(expected);
    });

    it('walks an organizer listing (a filtered query) with limit=2, every item exactly once', async () => {
      const organizer = organizerContext();
      const expected: string[] = [];
      for (let day = 1; day <= 7; day++) {
        const event = await createPublishedEvent(organizer, { startsAt: at(2032, 3, day) });
        expected.push(event.id);
        // Drafts interleaved: same organizer partition, dropped by the status filter.
        await createEvent(organizer, { startsAt: at(2032, 3, day, 18) });
      }

      const pages = await walk(`limit=2&organizerId=${organizer.userId}`, customerContext());

      expect(pages.every((page) => page.length <= 2)).toBe(true);
      expect(ids(pages.flat())).toEqual(expected);
    });

    it('walks a q-filtered listing with limit=2 where the filter drops items in between', async () => {
      // Prepare: matches and non-matches interleaved in time
      const organizer = organizerContext();
      const token = uniqueToken('page');
      const year = ownYear();
      const expected: string[] = [];
      for (let day = 1; day <= 5; day++) {
        const match = await createPublishedEvent(organizer, {
          name: `Show ${token} #${day}`,
          startsAt: at(year, 4, day),
        });
        expected.push(match.id);
        await createPublishedEvent(organizer, {
          name: `Other #${day}`,
          startsAt: at(year, 4, day, 15),
        });
      }
      const as = customerContext();

      // Act
      const everywhere = await walk(`limit=2&q=${token}`, as);
      const inWindow = await walk(
        `limit=2&q=${token.toUpperCase()}&from=${at(year, 1, 1)}&to=${at(year, 12, 31)}`,
        as,
      );

      // Assess
      for (const pages of [everywhere, inWindow]) {
        expect(pages.every((page) => page.length <= 2)).toBe(true);
        expect(ids(pages.flat())).toEqual(expected);
      }
    });
  });

  describe('invalid queries', () => {
    it.each([
      ['limit=101'],
      ['limit=0'],
      ['limit=abc'],
      ['from=2030-13-01T00:00:00Z'],
      ['from=2030-02-01T00:00:00Z&to=2030-01-01T00:00:00Z'],
      ['status=ARCHIVED'],
      ['sort=name'],
    ])('answers ?%s with 400 VALIDATION_FAILED', async (search) => {
      const response = await invoke('GET', `/v1/events?${search}`, { as: customerContext() });

      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          { path: expect.stringMatching(/^query/), message: expect.any(String) },
        ]),
      );
    });

    const base64url = (value: unknown) =>
      Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

    it.each([
      ['random text', 'not-a-cursor'],
      ['base64 of non-JSON', base64url('hello world')],
      ['a JSON array', base64url(['pk', 'sk'])],
      ['a JSON number', base64url(42)],
      ['a key with non-string values', base64url({ pk: 1, sk: 2, gsi1pk: 3, gsi1sk: 4 })],
      ['a key missing attributes', base64url({ gsi1pk: 'STATUS#PUBLISHED' })],
      [
        'a key for another status partition',
        base64url({
          pk: 'EVENT#x',
          sk: 'META',
          gsi1pk: 'STATUS#DRAFT',
          gsi1sk: '2030-01-01T00:00:00.000Z#x',
        }),
      ],
      [
        'a key with an empty sort value',
        base64url({ pk: 'EVENT#x', sk: 'META', gsi1pk: 'STATUS#PUBLISHED', gsi1sk: '' }),
      ],
      [
        'a key with empty table key values',
        base64url({
          pk: '',
          sk: '',
          gsi1pk: 'STATUS#PUBLISHED',
          gsi1sk: '2030-01-01T00:00:00.000Z#x',
        }),
      ],
      [
        'a key with an extra attribute',
        base64url({
          pk: 'EVENT#x',
          sk: 'META',
          gsi1pk: 'STATUS#PUBLISHED',
          gsi1sk: '2030-01-01T00:00:00.000Z#x',
          admin: 'true',
        }),
      ],
    ])('answers a garbage cursor (%s) with 400 VALIDATION_FAILED', async (_, cursor) => {
      const response = await invoke('GET', `/v1/events?cursor=${encodeURIComponent(cursor)}`, {
        as: customerContext(),
      });

      expectProblem(response, 400, 'VALIDATION_FAILED');
    });

    it('answers a cursor from another listing with 400 VALIDATION_FAILED', async () => {
      // Prepare: real cursors from an organizer listing and from a time window
      const organizer = organizerContext();
      const year = ownYear();
      for (let day = 1; day <= 3; day++) {
        await createPublishedEvent(organizer, { startsAt: at(year, 6, day) });
      }
      const as = customerContext();
      const byOrganizer = await invoke(
        'GET',
        `/v1/events?limit=1&organizerId=${organizer.userId}`,
        {
          as,
        },
      );
      const windowed = await invoke(
        'GET',
        `/v1/events?limit=1&from=${at(year, 1, 1)}&to=${at(year, 12, 31)}`,
        { as },
      );
      const organizerCursor: string = byOrganizer.body.nextCursor;
      const windowCursor: string = windowed.body.nextCursor;
      expect(organizerCursor).toEqual(expect.any(String));
      expect(windowCursor).toEqual(expect.any(String));

      // Act
      const onPublicListing = await invoke('GET', `/v1/events?cursor=${organizerCursor}`, { as });
      const onOtherOrganizer = await invoke(
        'GET',
        `/v1/events?organizerId=${organizerContext().userId}&cursor=${organizerCursor}`,
        { as },
      );
      const onDrafts = await invoke('GET', `/v1/events?status=DRAFT&cursor=${windowCursor}`, {
        as: adminContext(),
      });
      const outsideWindow = await invoke(
        'GET',
        `/v1/events?from=${at(year + 1, 1, 1)}&cursor=${windowCursor}`,
        { as },
      );

      // Assess
      for (const response of [onPublicListing, onOtherOrganizer, onDrafts, outsideWindow]) {
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(response.body.errors).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
      }
    });
  });
});
