import { eventService } from '../shared/composition/events.js';
import { createEventSchema } from '../shared/domain/event-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler({ body: createEventSchema }, async ({ principal, body }) => ({
  status: 201,
  body: await eventService.create(principal, body),
}));
