import { ListMyWaitlist } from '../shared/api/routes/waitlist.js';
import { waitlist } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(ListMyWaitlist, async ({ principal }) => ({
  status: 200,
  body: await waitlist.listMine(principal),
}));
