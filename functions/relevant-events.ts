import { RelevantEvents } from '../shared/api/routes/users.js';
import { relevantEvents } from '../shared/composition/relevant-events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(RelevantEvents, async ({ principal, params, query }) => ({
  status: 200,
  body: await relevantEvents.list(principal, params.userId, query),
}));
