import { describe, expect, it } from 'vitest';
import { passesFilters } from '../../local/stream-filters.js';
import { toAuditItem } from '../../shared/db/entities/audit.js';
import { AUDIT_STREAM_FILTERS, auditDraftOf } from '../../shared/db/entities/audit-changes.js';
import { toMetaItem } from '../../shared/db/entities/event.js';
import { toOrderItem } from '../../shared/db/entities/order.js';
import { toUserItem } from '../../shared/db/entities/user.js';
import { toEntryItem } from '../../shared/db/entities/waitlist.js';
import { auditKeys, eventKeys, liveKeys } from '../../shared/db/table.js';
import { type Actor, actingAs } from '../../shared/domain/actor.js';
import { type AuditRepository, AuditTrail, type Deletion } from '../../shared/domain/audit.js';
import type { AuditRecord } from '../../shared/domain/audit-model.js';
import type { Order } from '../../shared/domain/order-model.js';
import type { User } from '../../shared/domain/user-model.js';
import type { WaitlistEntry } from '../../shared/domain/waitlist-model.js';
import { eventState, ticketTypeState } from '../support/events-fixtures.js';
import { inventoryChange, streamRecord } from '../support/live-fixtures.js';
import { domainOrder } from '../support/orders-fixtures.js';

const organizer: Actor = { userId: 'org-1' };
const LATER = '2030-02-01T00:00:00.000Z';
const customer: Actor = { userId: 'cust-1' };

/** The item a write makes, written as `actor` (the stamp is the entity's own). */
const as = <T>(actor: Actor | undefined, item: () => T): T =>
  actor ? actingAs(actor, item) : item();

const meta = (actor: Actor, overrides: Parameters<typeof eventState>[0] = {}) =>
  as(actor, () => toMetaItem(eventState(overrides)));
const order = (actor: Actor, overrides: Partial<Order> = {}) =>
  as(actor, () => toOrderItem(domainOrder(overrides)));

const user = (actor: Actor | undefined, overrides: Partial<User> = {}) =>
  as(actor, () =>
    toUserItem({
      id: 'u-1',
      email: 'u@example.com',
      name: 'U',
      roles: ['customer'],
      emailVerified: false,
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
      ...overrides,
    }),
  );

const entry = (actor: Actor, overrides: Partial<WaitlistEntry> = {}) =>
  as(actor, () =>
    toEntryItem({
      id: 'wl-1',
      eventId: 'ev-1',
      ticketTypeId: 'tt-ga',
      quantity: 2,
      status: 'WAITING',
      customer: { userId: 'cust-1', email: 'c@example.com', name: 'C' },
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
      ...overrides,
    }),
  );

const draftOf = (...args: Parameters<typeof streamRecord>) => auditDraftOf(streamRecord(...args));

describe('an event change read from the stream', () => {
  it('records a creation with every field it was created with, by its organizer', () => {
    const draft = draftOf('INSERT', { new: meta(organizer) });

    expect(draft).toMatchObject({
      action: 'event.created',
      entityType: 'event',
      entityId: 'ev-1',
      actor: organizer,
      at: '2029-01-01T00:00:00.000Z',
    });
    expect(draft?.changes).toMatchObject({
      name: [null, 'Test Concert'],
      status: [null, 'DRAFT'],
      'ticketTypes.tt-ga': [null, { name: 'GA', priceCents: 5000, capacity: 100 }],
    });
    // Keys, index keys, the actor itself and derived copies are bookkeeping, not changes.
    for (const field of ['pk', 'sk', 'gsi1pk', 'actor', 'version', 'updatedAt', 'nameLower']) {
      expect(draft?.changes).not.toHaveProperty(field);
    }
  });

  it.each([
    ['published', { status: 'PUBLISHED' as const }, { status: ['DRAFT', 'PUBLISHED'] }],
    ['cancelled', { status: 'CANCELLED' as const }, { status: ['DRAFT', 'CANCELLED'] }],
    ['updated', { name: 'Renamed' }, { name: ['Test Concert', 'Renamed'] }],
    [
      'updated',
      { ticketTypes: [ticketTypeState({ capacity: 80 })] },
      {
        'ticketTypes.tt-ga': [
          { name: 'GA', priceCents: 5000, capacity: 100 },
          { name: 'GA', priceCents: 5000, capacity: 80 },
        ],
      },
    ],
  ])('records event.%s with exactly the fields that changed', (action, after, changes) => {
    const draft = draftOf('MODIFY', {
      old: meta(organizer),
      new: meta(
        { userId: 'admin-1' },
        { ...after, version: 2, updatedAt: '2029-02-01T00:00:00.000Z' },
      ),
    });

    expect(draft).toMatchObject({ action: `event.${action}`, actor: { userId: 'admin-1' } });
    expect(draft?.changes).toEqual(changes);
    expect(draft?.at).toBe('2029-02-01T00:00:00.000Z');
  });

  it('records nothing for a write that changed no field (the sweep unlisting a started event)', () => {
    const before = meta(organizer, { status: 'PUBLISHED' });
    const { gsi4pk: _, gsi4sk: __, ...unlisted } = before;

    expect(draftOf('MODIFY', { old: before, new: unlisted })).toBeNull();
  });

  it('leaves the actor of a deletion to its marker: the last writer did not delete it', () => {
    const draft = draftOf('REMOVE', { old: meta(organizer) });

    expect(draft).toMatchObject({ action: 'event.deleted', actor: null });
    expect(draft?.changes.status).toEqual(['DRAFT', null]);
  });
});

describe('an order change read from the stream', () => {
  it('records the hold by its customer, without the derived email', () => {
    const draft = draftOf('INSERT', { new: order(customer) });

    expect(draft).toMatchObject({ action: 'order.held', entityId: 'ord-1', actor: customer });
    expect(draft?.changes.status).toEqual([null, 'HELD']);
    expect(draft?.changes).not.toHaveProperty('customerEmail');
  });

  it.each([
    ['HELD', 'PAYING', 'order.payment_started', customer],
    ['PAYING', 'HELD', 'order.payment_declined', customer],
    ['PAYING', 'CONFIRMED', 'order.confirmed', customer],
    ['HELD', 'EXPIRED', 'order.expired', { system: 'expiry' }],
    ['HELD', 'CANCELLED', 'order.cancelled', customer],
    ['CONFIRMED', 'REFUNDING', 'order.refund_started', organizer],
    ['REFUNDING', 'REFUNDED', 'order.refunded', { system: 'sweep' }],
  ] as const)('records %s → %s as %s, by whoever made it', (from, to, action, actor) => {
    const draft = draftOf('MODIFY', {
      old: order(customer, { status: from }),
      new: order(actor, { status: to, updatedAt: '2030-01-01T00:05:00.000Z' }),
    });

    expect(draft).toMatchObject({ action, actor, at: '2030-01-01T00:05:00.000Z' });
    expect(draft?.changes).toEqual({ status: [from, to] });
  });

  it('keeps the card token of a payment out of the record', () => {
    const draft = draftOf('MODIFY', {
      old: order(customer),
      new: { ...order(customer, { status: 'PAYING' }), paymentToken: 'tok_visa' },
    });

    expect(draft?.changes).toEqual({ status: ['HELD', 'PAYING'] });
  });
});

describe('a waitlist entry or user change read from the stream', () => {
  it.each([
    ['INSERT', undefined, entry(customer), 'waitlist.joined', customer],
    [
      'MODIFY',
      entry(customer),
      entry({ system: 'handover' }, { status: 'OFFERED', orderId: 'ord-9', updatedAt: LATER }),
      'waitlist.offered',
      { system: 'handover' },
    ],
    ['REMOVE', entry(customer), undefined, 'waitlist.left', null],
    ['REMOVE', entry(customer, { status: 'OFFERED' }), undefined, 'waitlist.removed', null],
    ['INSERT', undefined, user(undefined), 'user.registered', { userId: 'u-1' }],
    [
      'MODIFY',
      user(undefined),
      user({ userId: 'admin-1' }, { roles: ['customer', 'organizer'], updatedAt: LATER }),
      'user.roles_changed',
      { userId: 'admin-1' },
    ],
    [
      'MODIFY',
      user(undefined),
      user({ userId: 'u-1' }, { name: 'V', updatedAt: LATER }),
      'user.updated',
      { userId: 'u-1' },
    ],
    ['REMOVE', user(undefined), undefined, 'user.deleted', null],
  ] as const)('records %s as %s', (eventName, before, after, action, actor) => {
    const draft = draftOf(eventName, {
      ...(before && { old: before }),
      ...(after && { new: after }),
    });

    expect(draft).toMatchObject({ action, actor });
  });

  it('records the before and after of a role change', () => {
    const draft = draftOf('MODIFY', {
      old: user(undefined),
      new: user({ userId: 'admin-1' }, { roles: ['customer', 'admin'], updatedAt: LATER }),
    });

    expect(draft?.changes).toEqual({ roles: [['customer'], ['customer', 'admin']] });
  });

  it('calls an unstamped change other than a sign-up unattributed', () => {
    const unstamped = user(undefined, { roles: ['customer', 'admin'], updatedAt: LATER });

    const draft = draftOf('MODIFY', { old: user({ userId: 'u-1' }), new: unstamped });

    expect(draft?.actor).toEqual({ system: 'unattributed' });
  });

  it('calls a change by hand unattributed, never the earlier writer whose stamp it kept', () => {
    // Every write of the code moves updatedAt; a console edit of the roles does not.
    const before = user({ userId: 'u-1' });
    const edited = { ...before, roles: ['customer', 'admin'] };

    const draft = draftOf('MODIFY', { old: before, new: edited });

    expect(draft).toMatchObject({
      action: 'user.roles_changed',
      actor: { system: 'unattributed' },
    });
  });
});

describe('the audit consumer’s stream filter', () => {
  it.each([
    ['an event', streamRecord('MODIFY', { old: meta(organizer), new: meta(organizer) })],
    ['an order', streamRecord('INSERT', { new: order(customer) })],
    ['a waitlist entry', streamRecord('REMOVE', { old: entry(customer) })],
    ['a user', streamRecord('INSERT', { new: user(undefined) })],
  ])('lets %s through', (_, record) => {
    expect(passesFilters(AUDIT_STREAM_FILTERS, record)).toBe(true);
  });

  it.each([
    ['a hold’s inventory counters', inventoryChange('ev-1', { ga: 2 }, { ga: 1 })],
    [
      'an audit record itself',
      streamRecord('INSERT', { new: { ...auditKeys.record('r'), entity: 'AuditRecord' } }),
    ],
    ['a deletion marker', streamRecord('INSERT', { new: auditKeys.deletion(eventKeys.meta('e')) })],
    ['a live subscription', streamRecord('INSERT', { new: liveKeys.subscription('e', 'c') })],
  ])('keeps %s out, and would ignore it anyway', (_, record) => {
    expect(passesFilters(AUDIT_STREAM_FILTERS, record)).toBe(false);
    expect(auditDraftOf(record)).toBeNull();
  });
});

class FakeRecords implements AuditRepository {
  readonly stored = new Map<string, AuditRecord>();
  deletions = new Map<string, Deletion>();

  async insert(record: AuditRecord): Promise<boolean> {
    if (this.stored.has(record.id)) return false;
    this.stored.set(record.id, record);
    return true;
  }

  async deletedBy(_: string, entityId: string): Promise<Deletion | null> {
    return this.deletions.get(entityId) ?? null;
  }

  async list() {
    return { items: [...this.stored.values()], nextCursor: null };
  }
}

describe('AuditTrail.record', () => {
  const draft = {
    id: 'stream-1',
    at: '2030-01-01T00:00:00.000Z',
    action: 'event.deleted',
    entityType: 'event' as const,
    entityId: 'ev-1',
    changes: { status: ['DRAFT', null] as [unknown, unknown] },
  };

  it('names the deleter and the time from the deletion marker', async () => {
    const records = new FakeRecords();
    records.deletions.set('ev-1', { actor: organizer, at: '2030-01-01T00:00:00.123Z' });

    await new AuditTrail(records).record({ ...draft, actor: null });

    expect(records.stored.get('stream-1')).toMatchObject({
      actor: organizer,
      at: '2030-01-01T00:00:00.123Z',
    });
  });

  it('records a deletion without a marker (by hand) as unattributed', async () => {
    const records = new FakeRecords();

    await new AuditTrail(records).record({ ...draft, actor: null });

    expect(records.stored.get('stream-1')?.actor).toEqual({ system: 'unattributed' });
  });

  it('records a stream record delivered twice once', async () => {
    const records = new FakeRecords();
    const trail = new AuditTrail(records);

    const outcomes = [
      await trail.record({ ...draft, actor: organizer }),
      await trail.record({ ...draft, actor: organizer }),
    ];

    expect(outcomes).toEqual(['recorded', 'already-recorded']);
    expect(records.stored.size).toBe(1);
  });
});

describe('an audit record as stored', () => {
  const record: AuditRecord = {
    id: 'r-1',
    at: '2030-01-01T00:00:00.000Z',
    actor: customer,
    action: 'order.held',
    entityType: 'order',
    entityId: 'ord-1',
    changes: {},
  };

  it('expires 400 days after its change', () => {
    const item = toAuditItem(record);

    expect(item.ttl).toBe(Date.parse('2031-02-05T00:00:00.000Z') / 1000);
  });

  it('is in its actor’s index partition only when a user made it', () => {
    expect(toAuditItem(record).gsi2pk).toBe('AUDIT_ACTOR#cust-1');
    expect(toAuditItem({ ...record, actor: { system: 'sweep' } })).not.toHaveProperty('gsi2pk');
  });
});
