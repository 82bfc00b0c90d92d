import { eventService } from '../shared/composition/events.js';
import { listEventsQuerySchema } from '../shared/domain/event-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { query: listEventsQuerySchema },
  async ({ principal, query }) => ({
    status: 200,
    body: await eventService.list(principal, query),
  }),
);
