import { eventService } from '../shared/composition/events.js';
import { eventIdParamsSchema, updateEventSchema } from '../shared/domain/event-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: eventIdParamsSchema, body: updateEventSchema },
  async ({ principal, params, body }) => ({
    status: 200,
    body: await eventService.update(principal, params.eventId, body),
  }),
);
