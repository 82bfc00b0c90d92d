import { PublishEvent } from '../shared/api/routes/events.js';
import { eventService } from '../shared/composition/events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(PublishEvent, async ({ principal, params }) => ({
  status: 200,
  body: await eventService.publish(principal, params.eventId),
}));
