import { CreateEvent } from '../shared/api/routes/events.js';
import { eventService } from '../shared/composition/events.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(CreateEvent, async ({ principal, body }) => ({
  status: 201,
  body: await eventService.create(principal, body),
}));
