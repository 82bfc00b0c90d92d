import { eventService } from '../shared/composition/events.js';
import { eventIdParamsSchema } from '../shared/domain/event-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: eventIdParamsSchema },
  async ({ principal, params }) => {
    await eventService.delete(principal, params.eventId);
    return { status: 204 };
  },
);
