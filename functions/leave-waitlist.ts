import { LeaveWaitlist } from '../shared/api/routes/waitlist.js';
import { waitlist } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(LeaveWaitlist, async ({ principal, params }) => {
  await waitlist.leave(principal, params.entryId);
  return { status: 204 };
});
