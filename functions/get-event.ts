import { GetEvent } from '../shared/api/routes/events.js';
import { authenticator } from '../shared/composition/authenticator.js';
import { eventService } from '../shared/composition/events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  GetEvent,
  async ({ principal, params }) => ({
    status: 200,
    body: await eventService.get(principal, params.eventId),
  }),
  { authenticator },
);
