import { ListEvents } from '../shared/api/routes/events.js';
import { authenticator } from '../shared/composition/authenticator.js';
import { eventService } from '../shared/composition/events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  ListEvents,
  async ({ principal, query }) => ({
    status: 200,
    body: await eventService.list(principal, query),
  }),
  { authenticator },
);
