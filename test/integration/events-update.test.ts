import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { eventKeys } from '../../shared/db/table.js';
import { applyUpdate } from '../../shared/domain/event-changes.js';
import type { EventState } from '../../shared/domain/event-model.js';
import {
  createEvent,
  createPublishedEvent,
  createStartedEvent,
  documentClient,
  invariantHolds,
  readEventItems,
  readTicketType,
  type StoredTicketType,
  simulateHold,
  tableName,
} from '../support/events-api.js';
import { adminContext, customerContext, organizerContext } from '../support/events-fixtures.js';
import { expectProblem, invoke, type TestResponse } from '../support/invoke.js';
import { unguardedPutsClient } from '../support/unguarded-client.js';

describe('PATCH /v1/events/{eventId}', () => {
  it('applies and persists a partial update', async () => {
    // Prepare
    const organizer = organizerContext();
    const event = await createEvent(organizer, {
      name: 'Before',
      description: 'old description',
      venue: { name: 'Hall', city: 'Berlin', latitude: 52.5, longitude: 13.4 },
      startsAt: '2030-06-01T19:30:00Z',
      endsAt: '2030-06-01T23:00:00Z',
    });
    const gaId = event.ticketTypes[0].id;

    // Act
    const response = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: {
        name: 'After',
        description: null,
        venue: { name: 'Bigger Hall' },
        endsAt: null,
        maxTicketsPerOrder: 4,
        ticketTypes: [
          { id: gaId, capacity: 150, priceCents: 4500 },
          { name: 'VIP', priceCents: 20000, capacity: 5 },
        ],
      },
    });

    // Assess
    expect(response.status).toBe(200);
    const updated = response.body;
    expect(updated).toMatchObject({
      id: event.id,
      name: 'After',
      venue: { name: 'Bigger Hall', city: 'Berlin', latitude: 52.5, longitude: 13.4 },
      maxTicketsPerOrder: 4,
      status: 'DRAFT',
      ticketTypes: [
        { id: gaId, name: 'GA', priceCents: 4500, capacity: 150, available: 150 },
        { id: expect.any(String), name: 'VIP', priceCents: 20000, capacity: 5, available: 5 },
      ],
    });
    expect(updated).not.toHaveProperty('description');
    expect(updated).not.toHaveProperty('endsAt');
    expect(updated.createdAt).toBe(event.createdAt);
    expect(updated.updatedAt >= event.updatedAt).toBe(true);

    const read = await invoke('GET', `/v1/events/${event.id}`, { as: organizer });
    expect(read.body).toEqual(updated);
    const vip = await readTicketType(event.id, updated.ticketTypes[1].id);
    expect(vip).toMatchObject({ capacity: 5, available: 5, held: 0, sold: 0 });
  });

  it('moves the event in listings when startsAt changes', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, { startsAt: '2031-01-01T10:00:00Z' });

    await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { startsAt: '2032-01-01T10:00:00Z' },
    });
    const old = await invoke(
      'GET',
      `/v1/events?organizerId=${organizer.userId}&to=2031-12-31T00:00:00Z`,
      { as: organizer },
    );
    const moved = await invoke(
      'GET',
      `/v1/events?organizerId=${organizer.userId}&from=2032-01-01T10:00:00Z`,
      { as: organizer },
    );

    expect(old.body.items).toEqual([]);
    expect(moved.body.items.map((item: { id: string }) => item.id)).toEqual([event.id]);
  });

  it('changes nothing when the body is invalid', async () => {
    const organizer = organizerContext();
    const event = await createEvent(organizer, { endsAt: '2030-06-01T23:00:00Z' });
    const gaId = event.ticketTypes[0].id;

    for (const body of [
      { status: 'PUBLISHED' },
      { name: 'x', organizerId: organizer.userId },
      {},
      { ticketTypes: [{ id: gaId, capacity: 0 }] },
      { ticketTypes: [{ id: 'no-such-type', capacity: 5 }] },
      { ticketTypes: [{ name: 'ga', priceCents: 1, capacity: 1 }] },
      { endsAt: '2030-06-01T10:00:00Z' },
    ]) {
      const response = await invoke('PATCH', `/v1/events/${event.id}`, { as: organizer, body });
      expectProblem(response, 400, 'VALIDATION_FAILED');
    }

    const read = await invoke('GET', `/v1/events/${event.id}`, { as: organizer });
    expect(read.body).toEqual(event);
  });

  it('refuses moving startsAt to now or into the past, on a draft or a published event, and writes nothing', async () => {
    // Prepare
    const organizer = organizerContext();
    const events = [await createEvent(organizer), await createPublishedEvent(organizer)];
    const storedBefore = await Promise.all(events.map(({ id }) => readEventItems(id)));

    // Act
    const responses = [];
    for (const { id } of events) {
      for (const startsAt of [
        new Date().toISOString(),
        '2020-01-01T19:30:00Z',
        '0000-01-01T00:00:00Z',
      ]) {
        responses.push(
          await invoke('PATCH', `/v1/events/${id}`, { as: organizer, body: { startsAt } }),
        );
      }
    }

    // Assess
    for (const response of responses) {
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        { path: 'body.startsAt', message: 'must be in the future' },
      ]);
    }
    expect(await Promise.all(events.map(({ id }) => readEventItems(id)))).toEqual(storedBefore);
  });

  it('lets an event that has started be changed otherwise, its unchanged startsAt sent back included', async () => {
    const organizer = organizerContext();
    const started = await createStartedEvent(organizer, {
      startsAt: '2020-01-01T19:30:00.000Z',
      endsAt: '2020-01-01T23:00:00.000Z',
    });

    const response = await invoke('PATCH', `/v1/events/${started.id}`, {
      as: organizer,
      // The same instant in another offset is the same start.
      body: { name: 'Renamed afterwards', startsAt: '2020-01-01T20:30:00+01:00' },
    });

    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({
      name: 'Renamed afterwards',
      startsAt: '2020-01-01T19:30:00.000Z',
      status: 'PUBLISHED',
    });
  });

  it('allows a currency change on a draft but not once published', async () => {
    const organizer = organizerContext();
    const event = await createEvent(organizer);

    const onDraft = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { currency: 'EUR' },
    });
    await invoke('POST', `/v1/events/${event.id}/publish`, { as: organizer });
    const onPublished = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { currency: 'GBP' },
    });

    expect(onDraft.status).toBe(200);
    expect(onDraft.body.currency).toBe('EUR');
    expectProblem(onPublished, 409, 'EVENT_STATE_CONFLICT');
  });

  it('rejects a capacity below held + sold with 409 CAPACITY_BELOW_SOLD and keeps the counters', async () => {
    // Prepare: 10 seats, 4 held by a simulated order
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const gaId = event.ticketTypes[0].id;
    expect(await simulateHold(event.id, gaId, 4)).toBe(true);

    // Act
    const down = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { ticketTypes: [{ id: gaId, capacity: 5 }] },
    });
    const tooLow = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { ticketTypes: [{ id: gaId, capacity: 3 }] },
    });
    const exact = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: organizer,
      body: { ticketTypes: [{ id: gaId, capacity: 4 }] },
    });

    // Assess
    expect(down.status).toBe(200);
    expect(down.body.ticketTypes[0]).toMatchObject({ capacity: 5, available: 1 });
    expectProblem(tooLow, 409, 'CAPACITY_BELOW_SOLD');
    expect(exact.status).toBe(200);
    expect(exact.body.ticketTypes[0]).toMatchObject({ capacity: 4, available: 0 });
    expect(await readTicketType(event.id, gaId)).toEqual(
      expect.objectContaining({ capacity: 4, available: 0, held: 4, sold: 0 }),
    );
  });

  it('counts a capacity raise on top of tickets already held', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    const gaId = event.ticketTypes[0].id;
    await simulateHold(event.id, gaId, 6);

    const response = await invoke('PATCH', `/v1/events/${event.id}`, {
      as: adminContext(),
      body: { ticketTypes: [{ id: gaId, capacity: 25 }] },
    });

    expect(response.status).toBe(200);
    expect(response.body.ticketTypes[0]).toMatchObject({ capacity: 25, available: 19 });
    expect(invariantHolds(await readTicketType(event.id, gaId))).toBe(true);
  });

  it('loses no update when several PATCHes race: each either applies or reports 409', async () => {
    // Prepare
    const organizer = organizerContext();
    const event = await createEvent(organizer);
    const names = ['Balcony', 'Box', 'Standing', 'Terrace'];

    // Act: each PATCH adds its own ticket type; all read the same version first
    const responses = await Promise.all(
      names.map((name) =>
        invoke('PATCH', `/v1/events/${event.id}`, {
          as: organizer,
          body: { ticketTypes: [{ name, priceCents: 100, capacity: 5 }] },
        }),
      ),
    );

    // Assess: exactly the PATCHes that answered 200 are in the stored event
    const applied = names.filter((_, index) => responses[index]?.status === 200);
    for (const response of responses) {
      if (response.status !== 200) expectProblem(response, 409, 'CONCURRENT_MODIFICATION');
    }
    expect(applied.length).toBeGreaterThanOrEqual(1);
    const read = await invoke('GET', `/v1/events/${event.id}`, { as: organizer });
    expect(read.body.ticketTypes.map(({ name }: { name: string }) => name).sort()).toEqual(
      ['GA', ...applied].sort(),
    );
  });

  it('is visible as live availability to customers after holds', async () => {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: 10 }],
    });
    await simulateHold(event.id, event.ticketTypes[0].id, 3);

    const read = await invoke('GET', `/v1/events/${event.id}`, { as: customerContext() });

    expect(read.body.ticketTypes[0]).toMatchObject({ capacity: 10, available: 7 });
  });
});

/**
 * PATCHes of different META fields race. META is written as a whole item, so a write
 * decided on a stale read puts the other PATCHes' fields back as they were: the version
 * guard must turn that write into a retry on fresh state (or a 409), so that no change
 * answered 200 is lost. The control runs the same race through the same handler with
 * only the META Put's version condition dropped, and shows changes answered 200 and lost.
 */
describe('PATCHes of different META fields race', () => {
  const ROUNDS = 5;

  interface Change {
    body: Record<string, unknown>;
    /** Whether the event as read shows this change. */
    shown: (event: any) => boolean;
  }

  /** One PATCH per field, each with a value no other round uses. */
  function changesOf(round: number): Change[] {
    const name = `Renamed in round ${round}`;
    const description = `Described in round ${round}`;
    const venueName = `Hall of round ${round}`;
    return [
      { body: { name }, shown: (event) => event.name === name },
      { body: { description }, shown: (event) => event.description === description },
      { body: { venue: { name: venueName } }, shown: (event) => event.venue.name === venueName },
    ];
  }

  interface Round {
    changes: Change[];
    responses: TestResponse[];
    /** The event as read back after the round. */
    stored: any;
  }

  /** Each round fires one PATCH per field at once, then reads the event back. */
  async function race(organizer: ReturnType<typeof organizerContext>, eventId: string) {
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const changes = changesOf(round);
      const responses = await Promise.all(
        changes.map(({ body }) =>
          invoke('PATCH', `/v1/events/${eventId}`, { as: organizer, body }),
        ),
      );
      const read = await invoke('GET', `/v1/events/${eventId}`, { as: organizer });
      expect(read.status).toBe(200);
      rounds.push({ changes, responses, stored: read.body });
    }
    return rounds;
  }

  /** The changes answered 200 that the event read back after their round does not show. */
  function lostUpdates(rounds: Round[]): number {
    return rounds.flatMap(({ changes, responses, stored }) =>
      changes.filter((change, index) => responses[index]?.status === 200 && !change.shown(stored)),
    ).length;
  }

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps every change answered 200; a PATCH that lost the race is retried or gets 409', async () => {
    // Prepare: watch the real repository's writes, to see races lost and retried
    const organizer = organizerContext();
    const event = await createEvent(organizer);
    const update = vi.spyOn(DynamoEventRepository.prototype, 'update');

    // Act
    const rounds = await race(organizer, event.id);

    // Assess: each PATCH either shows in the event and its own answer, or got 409
    let applied = 0;
    for (const { changes, responses, stored } of rounds) {
      for (const [index, response] of responses.entries()) {
        const change = changes[index] as Change;
        if (response.status === 200) {
          applied++;
          expect(change.shown(stored), JSON.stringify({ change: change.body, stored })).toBe(true);
          expect(change.shown(response.body)).toBe(true);
        } else {
          expectProblem(response, 409, 'CONCURRENT_MODIFICATION');
          expect(change.shown(stored)).toBe(false);
        }
      }
    }
    expect(lostUpdates(rounds)).toBe(0);
    expect(applied).toBeGreaterThanOrEqual(ROUNDS);
    // Each change answered 200 was written exactly once, on top of all before it.
    const [meta] = await readEventItems(event.id);
    expect(meta?.version).toBe(1 + applied);
    // The race really happened: some writes were decided on a stale read and retried.
    const outcomes = await Promise.all(update.mock.results.map(({ value }) => value));
    expect(outcomes).toContain('stale');
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(applied);
  });

  it('CONTROL: without the version condition on META, changes answered 200 are lost', async () => {
    // Prepare: the handler's repository writes through a client that drops the META
    // Put's condition (and its placeholders); everything else is unchanged
    const unguarded = new DynamoEventRepository(unguardedPutsClient, tableName);
    const realUpdate = DynamoEventRepository.prototype.update;
    vi.spyOn(DynamoEventRepository.prototype, 'update').mockImplementation((before, after) =>
      realUpdate.call(unguarded, before, after),
    );
    const organizer = organizerContext();
    const event = await createEvent(organizer);

    // Act
    const rounds = await race(organizer, event.id);

    // Assess: every PATCH "succeeded", yet some of those changes are gone
    for (const { responses } of rounds) {
      for (const response of responses) expect(response.status).toBe(200);
    }
    expect(lostUpdates(rounds)).toBeGreaterThanOrEqual(1);
  });
});

/**
 * Capacity cuts race holds. The guard (delta update + `available >= cut` condition) must
 * keep capacity − available = held + sold and available ≥ 0 under any interleaving; the
 * control shows that a read-then-overwrite cut, under the same schedule, does not.
 */
describe('capacity cut vs concurrent holds', () => {
  const ROUNDS = 6;
  const CAPACITY = 100;
  /** Holds per burst; two bursts ask for 2 × 20 × 2 = 80 of the 100 tickets. */
  const HOLDS = 20;
  const QUANTITY = 2;
  const DEMAND = 2 * HOLDS * QUANTITY;

  async function raceSetup() {
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer, {
      ticketTypes: [{ name: 'GA', priceCents: 1000, capacity: CAPACITY }],
    });
    return { organizer, eventId: event.id as string, ticketTypeId: event.ticketTypes[0].id };
  }

  /** Fires the holds; `firstSuccess` resolves as soon as one of them has landed. */
  function startHolds(eventId: string, ticketTypeId: string) {
    let signal: () => void = () => undefined;
    const firstSuccess = new Promise<void>((resolve) => {
      signal = resolve;
    });
    const all = Promise.all(
      Array.from({ length: HOLDS }, async () => {
        const ok = await simulateHold(eventId, ticketTypeId, QUANTITY);
        if (ok) signal();
        return ok;
      }),
    );
    return { firstSuccess, all: all.then((results) => results.filter(Boolean).length) };
  }

  function expectConsistent(stored: StoredTicketType, successfulHolds: number): void {
    expect(stored.held).toBe(successfulHolds * QUANTITY);
    expect(stored.available).toBeGreaterThanOrEqual(0);
    expect(stored.capacity - stored.available).toBe(stored.held + stored.sold);
  }

  it('PATCH cutting capacity while holds run in parallel keeps the invariant', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Prepare: even rounds cut to at most what the holds can take (the cut may lose to
      // them), odd rounds leave room for every hold (the cut must not clobber them)
      const { organizer, eventId, ticketTypeId } = await raceSetup();
      const newCapacity = round % 2 === 0 ? 40 + round * 5 : DEMAND + round;

      // Act: holds before and after the PATCH in the same burst
      const early = startHolds(eventId, ticketTypeId);
      const patch = invoke('PATCH', `/v1/events/${eventId}`, {
        as: organizer,
        body: { ticketTypes: [{ id: ticketTypeId, capacity: newCapacity }] },
      });
      const late = startHolds(eventId, ticketTypeId);
      const [response, earlyHolds, lateHolds] = await Promise.all([patch, early.all, late.all]);

      // Assess on the authoritative item
      const stored = await readTicketType(eventId, ticketTypeId);
      expectConsistent(stored, earlyHolds + lateHolds);
      if (response.status === 200) {
        expect(stored.capacity).toBe(newCapacity);
        outcomes.push('applied');
      } else {
        expectProblem(response, 409, response.body.code);
        expect(['CAPACITY_BELOW_SOLD', 'CONCURRENT_MODIFICATION']).toContain(response.body.code);
        if (newCapacity >= DEMAND) expect(response.body.code).not.toBe('CAPACITY_BELOW_SOLD');
        expect(stored.capacity).toBe(CAPACITY);
        outcomes.push(response.body.code);
      }
      const view = await invoke('GET', `/v1/events/${eventId}`, { as: organizer });
      expect(view.body.ticketTypes[0]).toMatchObject({
        capacity: stored.capacity,
        available: stored.available,
      });
    }
    // The write path itself was exercised, not only the 409 short-cut.
    expect(outcomes).toContain('applied');
  });

  it('the adapter write survives holds landing between its read and its write', async () => {
    // The same forced schedule as the control below, but through the real adapter.
    const repository = new DynamoEventRepository(documentClient, tableName);
    const results: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Prepare
      const { eventId, ticketTypeId } = await raceSetup();
      const newCapacity = 20 + round * 6;
      const before = (await repository.get(eventId)) as EventState;
      const decided = applyUpdate(
        before,
        { ticketTypes: [{ id: ticketTypeId, capacity: newCapacity }] },
        () => 'unused',
        new Date().toISOString(),
      );
      const after: EventState = { ...decided, version: before.version + 1 };

      // Act: holds start after the read; the write waits until one of them has landed
      const holds = startHolds(eventId, ticketTypeId);
      await holds.firstSuccess;
      const outcome = await repository.update(before, after);
      const successfulHolds = await holds.all;

      // Assess
      const stored = await readTicketType(eventId, ticketTypeId);
      expectConsistent(stored, successfulHolds);
      expect(stored.capacity).toBe(outcome === 'applied' ? newCapacity : CAPACITY);
      results.push(outcome);
    }
    expect(results.every((outcome) => outcome === 'applied' || outcome === 'stale')).toBe(true);
    // At least one write applied on top of a hold it had not seen, without clobbering it.
    expect(results).toContain('applied');
  });

  it('CONTROL: a read-then-overwrite capacity cut under the same schedule breaks the invariant', async () => {
    let violations = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Prepare
      const { eventId, ticketTypeId } = await raceSetup();
      const newCapacity = 20 + round * 6;
      const stale = await readTicketType(eventId, ticketTypeId);

      // Act: the unguarded cut — compute available from the read, then overwrite it
      const holds = startHolds(eventId, ticketTypeId);
      await holds.firstSuccess;
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: eventKeys.inventory(eventId),
          UpdateExpression:
            'SET ticketTypes.#t.#capacity = :capacity, ticketTypes.#t.available = :available',
          ExpressionAttributeNames: { '#t': ticketTypeId, '#capacity': 'capacity' },
          ExpressionAttributeValues: {
            ':capacity': newCapacity,
            ':available': stale.available + (newCapacity - stale.capacity),
          },
        }),
      );
      await holds.all;

      // Assess
      if (!invariantHolds(await readTicketType(eventId, ticketTypeId))) violations++;
    }
    expect(violations).toBeGreaterThanOrEqual(1);
  });
});
