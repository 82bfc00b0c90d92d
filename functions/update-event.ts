import { UpdateEvent } from '../shared/api/routes/events.js';
import { eventService } from '../shared/composition/events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(UpdateEvent, async ({ principal, params, body }) => ({
  status: 200,
  body: await eventService.update(principal, params.eventId, body),
}));
