import { GetSeats } from '../shared/api/routes/events.js';
import { authenticator } from '../shared/composition/authenticator.js';
import { eventService } from '../shared/composition/events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  GetSeats,
  async ({ principal, params, query }) => ({
    status: 200,
    body: await eventService.seats(principal, params.eventId, query),
  }),
  { authenticator },
);
