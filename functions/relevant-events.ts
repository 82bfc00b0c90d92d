import { relevantEvents } from '../shared/composition/relevant-events.js';
import { relevantEventsQuerySchema } from '../shared/domain/relevant-events.js';
import { userIdParamsSchema } from '../shared/domain/user-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: userIdParamsSchema, query: relevantEventsQuerySchema },
  async ({ principal, params, query }) => ({
    status: 200,
    body: await relevantEvents.list(principal, params.userId, query),
  }),
);
