import { DeleteEvent } from '../shared/api/routes/events.js';
import { eventService } from '../shared/composition/events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(DeleteEvent, async ({ principal, params }) => {
  await eventService.delete(principal, params.eventId);
  return { status: 204 };
});
