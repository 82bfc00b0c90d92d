import { eventService } from '../shared/composition/events.js';
import { eventCancellation } from '../shared/composition/orders.js';
import { eventIdParamsSchema } from '../shared/domain/event-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: eventIdParamsSchema },
  async ({ principal, params, context }) => ({
    status: 200,
    body: await eventCancellation.cancelEvent(
      principal,
      params.eventId,
      eventService,
      context.getRemainingTimeInMillis(),
    ),
  }),
);
