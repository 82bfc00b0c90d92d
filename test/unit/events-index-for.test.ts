import { describe, expect, it } from 'vitest';
import { Forbidden, Unauthenticated } from '../../shared/domain/errors.js';
import { type ListEventsQuery, listEventsQuerySchema } from '../../shared/domain/event-model.js';
import { canManage, indexFor } from '../../shared/domain/events.js';
import { eventState, principals } from '../support/events-fixtures.js';

const query = (input: Record<string, string> = {}): ListEventsQuery =>
  listEventsQuerySchema.parse(input);

describe('indexFor', () => {
  it('answers the default listing from byStatus PUBLISHED, for anyone', () => {
    for (const principal of [
      principals.anonymous(),
      principals.customer(),
      principals.organizer(),
      principals.admin(),
    ]) {
      expect(indexFor(principal, query())).toEqual({ index: 'byStatus', status: 'PUBLISHED' });
    }
  });

  it('uses byOrganizer (with the status) when organizerId is given', () => {
    expect(indexFor(principals.customer(), query({ organizerId: 'org-9' }))).toEqual({
      index: 'byOrganizer',
      organizerId: 'org-9',
      status: 'PUBLISHED',
    });
  });

  it('lists cancelled events to anyone', () => {
    expect(indexFor(principals.anonymous(), query({ status: 'CANCELLED' }))).toEqual({
      index: 'byStatus',
      status: 'CANCELLED',
    });
  });

  it('forbids drafts to customers, and asks anonymous callers to sign in', () => {
    expect(() => indexFor(principals.customer(), query({ status: 'DRAFT' }))).toThrow(Forbidden);
    expect(() => indexFor(principals.anonymous(), query({ status: 'DRAFT' }))).toThrow(
      Unauthenticated,
    );
  });

  it('gives an organizer only their own drafts, from byOrganizer', () => {
    expect(indexFor(principals.organizer('org-1'), query({ status: 'DRAFT' }))).toEqual({
      index: 'byOrganizer',
      organizerId: 'org-1',
      status: 'DRAFT',
    });
    expect(
      indexFor(principals.organizer('org-1'), query({ status: 'DRAFT', organizerId: 'org-1' })),
    ).toEqual({ index: 'byOrganizer', organizerId: 'org-1', status: 'DRAFT' });
  });

  it("forbids an organizer to list another organizer's drafts", () => {
    expect(() =>
      indexFor(principals.organizer('org-1'), query({ status: 'DRAFT', organizerId: 'org-2' })),
    ).toThrow(Forbidden);
  });

  it('gives an admin all drafts from byStatus, or one organizer’s from byOrganizer', () => {
    expect(indexFor(principals.admin(), query({ status: 'DRAFT' }))).toEqual({
      index: 'byStatus',
      status: 'DRAFT',
    });
    expect(indexFor(principals.admin(), query({ status: 'DRAFT', organizerId: 'org-2' }))).toEqual({
      index: 'byOrganizer',
      organizerId: 'org-2',
      status: 'DRAFT',
    });
  });
});

describe('canManage', () => {
  const event = eventState({ organizerId: 'org-1' });

  it('lets the organizer of the event and admins manage it', () => {
    expect(canManage(principals.organizer('org-1'), event)).toBe(true);
    expect(canManage(principals.admin('someone'), event)).toBe(true);
  });

  it('does not let other organizers, customers or anonymous callers manage it', () => {
    expect(canManage(principals.organizer('org-2'), event)).toBe(false);
    expect(canManage(principals.customer('cust-1'), event)).toBe(false);
    expect(canManage(principals.anonymous(), event)).toBe(false);
  });
});
