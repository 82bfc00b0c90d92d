import { eventService } from '../shared/composition/events.js';
import { eventIdParamsSchema } from '../shared/domain/event-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: eventIdParamsSchema },
  async ({ principal, params }) => ({
    status: 200,
    body: await eventService.cancel(principal, params.eventId),
  }),
);
