import { describe, expect, it } from 'vitest';
import {
  CapacityBelowSold,
  EventStateConflict,
  ValidationFailed,
} from '../../shared/domain/errors.js';
import { applyUpdate } from '../../shared/domain/event-changes.js';
import { LIMITS } from '../../shared/domain/event-model.js';
import { eventState, sequentialIds, ticketTypeState } from '../support/events-fixtures.js';

/** Before every start in the fixtures. */
const NOW = '2030-01-01T12:00:00.000Z';

function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('applyUpdate', () => {
  it('adjusts available by the capacity delta, keeping held and sold', () => {
    // Prepare: 100 seats, 7 held and 13 sold, so 80 available
    const event = eventState({
      ticketTypes: [ticketTypeState({ capacity: 100, available: 80, held: 7, sold: 13 })],
    });

    // Act
    const grown = applyUpdate(
      event,
      { ticketTypes: [{ id: 'tt-ga', capacity: 150 }] },
      () => 'x',
      NOW,
    );
    const shrunk = applyUpdate(
      event,
      { ticketTypes: [{ id: 'tt-ga', capacity: 30 }] },
      () => 'x',
      NOW,
    );

    // Assess
    expect(grown.ticketTypes[0]).toMatchObject({
      capacity: 150,
      available: 130,
      held: 7,
      sold: 13,
    });
    expect(shrunk.ticketTypes[0]).toMatchObject({ capacity: 30, available: 10, held: 7, sold: 13 });
  });

  it('allows cutting capacity to exactly held + sold', () => {
    const event = eventState({
      ticketTypes: [ticketTypeState({ capacity: 100, available: 80, held: 7, sold: 13 })],
    });

    const next = applyUpdate(
      event,
      { ticketTypes: [{ id: 'tt-ga', capacity: 20 }] },
      () => 'x',
      NOW,
    );

    expect(next.ticketTypes[0]).toMatchObject({ capacity: 20, available: 0 });
  });

  it('rejects a capacity below held + sold with CapacityBelowSold', () => {
    const event = eventState({
      ticketTypes: [ticketTypeState({ capacity: 100, available: 80, held: 7, sold: 13 })],
    });

    const act = () =>
      applyUpdate(event, { ticketTypes: [{ id: 'tt-ga', capacity: 19 }] }, () => 'x', NOW);

    expect(act).toThrow(CapacityBelowSold);
  });

  it('does not mutate the event it was given', () => {
    const event = eventState({ ticketTypes: [ticketTypeState({ capacity: 100, available: 100 })] });
    const snapshot = structuredClone(event);

    applyUpdate(
      event,
      { name: 'Renamed', ticketTypes: [{ id: 'tt-ga', capacity: 50 }] },
      () => 'x',
      NOW,
    );

    expect(event).toEqual(snapshot);
  });

  it('refuses any change to a cancelled event with EventStateConflict', () => {
    const event = eventState({ status: 'CANCELLED' });

    expect(() => applyUpdate(event, { name: 'Renamed' }, () => 'x', NOW)).toThrow(
      EventStateConflict,
    );
  });

  it('refuses a currency change once the event is published', () => {
    const event = eventState({ status: 'PUBLISHED', currency: 'USD' });

    expect(() => applyUpdate(event, { currency: 'EUR' }, () => 'x', NOW)).toThrow(
      EventStateConflict,
    );
  });

  it('allows re-sending the same currency on a published event and any currency on a draft', () => {
    const published = eventState({ status: 'PUBLISHED', currency: 'USD' });
    const draft = eventState({ status: 'DRAFT', currency: 'USD' });

    expect(applyUpdate(published, { currency: 'USD' }, () => 'x', NOW).currency).toBe('USD');
    expect(applyUpdate(draft, { currency: 'EUR' }, () => 'x', NOW).currency).toBe('EUR');
  });

  it('appends a new ticket type with a fresh id, full availability and the next position', () => {
    const event = eventState({
      ticketTypes: [
        ticketTypeState({ id: 'tt-ga', name: 'GA', position: 0 }),
        ticketTypeState({ id: 'tt-vip', name: 'VIP', position: 1 }),
      ],
    });

    const next = applyUpdate(
      event,
      { ticketTypes: [{ name: 'Balcony', priceCents: 2500, capacity: 40 }] },
      sequentialIds('new-'),
      NOW,
    );

    expect(next.ticketTypes).toHaveLength(3);
    expect(next.ticketTypes[2]).toEqual({
      id: 'new-1',
      name: 'Balcony',
      priceCents: 2500,
      capacity: 40,
      available: 40,
      held: 0,
      sold: 0,
      revenueCents: 0,
      position: 2,
    });
  });

  it('changes name and price of an existing ticket type', () => {
    const event = eventState();

    const next = applyUpdate(
      event,
      { ticketTypes: [{ id: 'tt-ga', name: 'General', priceCents: 4200 }] },
      () => 'x',
      NOW,
    );

    expect(next.ticketTypes[0]).toMatchObject({
      id: 'tt-ga',
      name: 'General',
      priceCents: 4200,
      capacity: 100,
    });
  });

  it('rejects an unknown ticket type id with ValidationFailed naming ticketTypes', () => {
    const event = eventState();

    const act = () =>
      applyUpdate(event, { ticketTypes: [{ id: 'nope', capacity: 5 }] }, () => 'x', NOW);

    const error = thrownBy(act);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).errors).toEqual([
      expect.objectContaining({ path: 'ticketTypes' }),
    ]);
  });

  it('rejects a new ticket type whose name clashes case-insensitively with an existing one', () => {
    const event = eventState({ ticketTypes: [ticketTypeState({ name: 'VIP' })] });

    const act = () =>
      applyUpdate(
        event,
        { ticketTypes: [{ name: 'vip', priceCents: 100, capacity: 1 }] },
        () => 'x',
        NOW,
      );

    expect(act).toThrow(ValidationFailed);
  });

  it('rejects renaming a ticket type to the name of another one', () => {
    const event = eventState({
      ticketTypes: [
        ticketTypeState({ id: 'a', name: 'GA', position: 0 }),
        ticketTypeState({ id: 'b', name: 'VIP', position: 1 }),
      ],
    });

    const act = () =>
      applyUpdate(event, { ticketTypes: [{ id: 'b', name: 'ga' }] }, () => 'x', NOW);

    expect(act).toThrow(ValidationFailed);
  });

  it('clears endsAt with null and keeps it when absent', () => {
    const event = eventState({ endsAt: '2030-06-01T23:00:00.000Z' });

    const cleared = applyUpdate(event, { endsAt: null }, () => 'x', NOW);
    const kept = applyUpdate(event, { name: 'Renamed' }, () => 'x', NOW);

    expect(cleared).not.toHaveProperty('endsAt');
    expect(kept.endsAt).toBe('2030-06-01T23:00:00.000Z');
  });

  it('clears description with null', () => {
    const event = eventState({ description: 'old' });

    expect(applyUpdate(event, { description: null }, () => 'x', NOW)).not.toHaveProperty(
      'description',
    );
  });

  it('rejects endsAt before (or equal to) startsAt', () => {
    const event = eventState({ startsAt: '2030-06-01T19:30:00.000Z' });

    expect(() =>
      applyUpdate(event, { endsAt: '2030-06-01T18:00:00.000Z' }, () => 'x', NOW),
    ).toThrow(ValidationFailed);
    expect(() =>
      applyUpdate(event, { endsAt: '2030-06-01T19:30:00.000Z' }, () => 'x', NOW),
    ).toThrow(ValidationFailed);
  });

  it('rejects moving startsAt past the existing endsAt', () => {
    const event = eventState({
      startsAt: '2030-06-01T19:30:00.000Z',
      endsAt: '2030-06-01T23:00:00.000Z',
    });

    expect(() =>
      applyUpdate(event, { startsAt: '2030-06-02T00:00:00.000Z' }, () => 'x', NOW),
    ).toThrow(ValidationFailed);
  });

  it('merges a partial venue into the current one', () => {
    const event = eventState({
      venue: { name: 'Hall', city: 'Berlin', latitude: 52.5, longitude: 13.4 },
    });

    const next = applyUpdate(
      event,
      { venue: { name: 'Big Hall', latitude: 48.1 } },
      () => 'x',
      NOW,
    );

    expect(next.venue).toEqual({
      name: 'Big Hall',
      city: 'Berlin',
      latitude: 48.1,
      longitude: 13.4,
    });
  });

  it('keeps the per-event ticket type limit when adding ticket types', () => {
    // Prepare: an event already at the limit the create schema enforces
    const full = eventState({
      ticketTypes: Array.from({ length: LIMITS.ticketTypesPerEvent }, (_, index) =>
        ticketTypeState({ id: `tt-${index}`, name: `Type ${index}`, position: index }),
      ),
    });

    // Act
    const act = () =>
      applyUpdate(
        full,
        { ticketTypes: [{ name: 'One too many', priceCents: 100, capacity: 1 }] },
        () => 'x',
        NOW,
      );

    // Assess
    expect(act).toThrow(ValidationFailed);
  });
});

describe('applyUpdate: startsAt only ever moves into the future', () => {
  it.each(['DRAFT', 'PUBLISHED'] as const)(
    'refuses moving a %s event to start now or in the past, at body.startsAt',
    (status) => {
      const event = eventState({ status, startsAt: '2030-06-01T19:30:00.000Z' });

      for (const startsAt of [NOW, '2029-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z']) {
        const error = thrownBy(() => applyUpdate(event, { startsAt }, () => 'x', NOW));

        expect(error, startsAt).toBeInstanceOf(ValidationFailed);
        expect((error as ValidationFailed).errors).toEqual([
          { path: 'body.startsAt', message: 'must be in the future' },
        ]);
      }
    },
  );

  it('moves the start to any time after now', () => {
    const event = eventState({ startsAt: '2030-06-01T19:30:00.000Z' });

    const next = applyUpdate(event, { startsAt: '2030-01-01T12:00:00.001Z' }, () => 'x', NOW);

    expect(next.startsAt).toBe('2030-01-01T12:00:00.001Z');
  });

  it('lets an event that has started be changed otherwise, with its unchanged startsAt sent back', () => {
    const started = eventState({
      status: 'PUBLISHED',
      startsAt: '2030-01-01T10:00:00.000Z',
      endsAt: '2030-01-01T14:00:00.000Z',
    });

    const next = applyUpdate(
      started,
      { name: 'Renamed', startsAt: started.startsAt, endsAt: '2030-01-01T15:00:00.000Z' },
      () => 'x',
      NOW,
    );

    expect(next).toMatchObject({
      name: 'Renamed',
      startsAt: '2030-01-01T10:00:00.000Z',
      endsAt: '2030-01-01T15:00:00.000Z',
    });
  });

  it('refuses moving an event that has started to another time in the past', () => {
    const started = eventState({ status: 'PUBLISHED', startsAt: '2030-01-01T10:00:00.000Z' });

    const act = () =>
      applyUpdate(started, { startsAt: '2030-01-01T11:00:00.000Z' }, () => 'x', NOW);

    expect(act).toThrow(ValidationFailed);
  });
});
