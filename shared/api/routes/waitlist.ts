import {
  AlreadyWaitlisted,
  ConcurrentModification,
  EventNotOnSale,
  LimitExceeded,
  NotFound,
  NotSoldOut,
} from '../../domain/errors.js';
import { eventIdParamsSchema } from '../../domain/event-model.js';
import { joinWaitlistSchema, waitlistEntryParamsSchema } from '../../domain/waitlist-model.js';
import { EVENT_ID, TICKET_TYPE_ID, WAITLIST_ENTRY_ID } from '../examples.js';
import { waitlistEntryListSchema, waitlistEntrySchema } from '../responses.js';
import { DEFAULT_THROTTLE, defineRoute, READ_THROTTLE } from '../route-record.js';

// The waitlist of sold-out ticket types. Freed tickets reach it through the order routes
// and jobs that release them (cancel, expiry, refund), which offer them to the line first.

export const JoinWaitlist = defineRoute({
  id: 'JoinWaitlist',
  method: 'POST',
  path: '/v1/events/{eventId}/waitlist',
  handler: 'join-waitlist',
  access: 'customer',
  table: 'write',
  throttle: DEFAULT_THROTTLE,
  tag: 'Waitlist',
  summary: 'Wait for tickets of a sold-out ticket type',
  description:
    'Only while the type has fewer than `quantity` tickets on sale (else 409 NOT_SOLD_OUT); ' +
    'one live entry per customer and ticket type (409 ALREADY_WAITLISTED). When tickets ' +
    'of the type are freed (a hold expires or is cancelled, an order refunded, capacity ' +
    'raised), they go to the first entry in line that they fit, before anyone else can buy ' +
    'them: a HELD order of its own with the event’s `holdSeconds` and a `waitlist-offer` ' +
    'email. An entry that does not fit is skipped, not dropped; an offer that lapses passes ' +
    'the tickets on to the next entry. Seated types are offered the freed seats as they are.',
  request: { params: eventIdParamsSchema, body: joinWaitlistSchema },
  example: {
    params: { eventId: EVENT_ID },
    body: { ticketTypeId: TICKET_TYPE_ID, quantity: 2 },
  },
  success: { status: 201, description: 'The entry, WAITING', schema: waitlistEntrySchema },
  errors: [NotFound, LimitExceeded, NotSoldOut, AlreadyWaitlisted, EventNotOnSale],
});

export const ListMyWaitlist = defineRoute({
  id: 'ListMyWaitlist',
  method: 'GET',
  path: '/v1/me/waitlist',
  handler: 'list-my-waitlist',
  access: 'customer',
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Waitlist',
  summary: "The caller's waitlist entries, newest first, each WAITING one with its position",
  description: 'The newest 100 at most.',
  request: {},
  example: {},
  success: { status: 200, description: 'The entries', schema: waitlistEntryListSchema },
  errors: [],
});

export const LeaveWaitlist = defineRoute({
  id: 'LeaveWaitlist',
  method: 'DELETE',
  path: '/v1/waitlist/{entryId}',
  handler: 'leave-waitlist',
  access: 'customer',
  table: 'write',
  throttle: DEFAULT_THROTTLE,
  tag: 'Waitlist',
  summary: 'Leave the line (the owner or an admin)',
  description:
    'Anyone else gets 404. An OFFERED entry is forgotten; its order stays, to be paid or ' +
    'cancelled like any other.',
  request: { params: waitlistEntryParamsSchema },
  example: { params: { entryId: WAITLIST_ENTRY_ID } },
  success: { status: 204, description: 'Gone' },
  errors: [NotFound, ConcurrentModification],
});
