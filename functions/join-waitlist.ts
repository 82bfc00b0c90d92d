import { JoinWaitlist } from '../shared/api/routes/waitlist.js';
import { waitlist } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(JoinWaitlist, async ({ principal, params, body }) => ({
  status: 201,
  body: await waitlist.join(principal, params.eventId, body),
}));
