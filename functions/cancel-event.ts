import { CancelEvent } from '../shared/api/routes/events.js';
import { eventService } from '../shared/composition/events.js';
import { eventCancellation } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(CancelEvent, async ({ principal, params, context }) => ({
  status: 200,
  body: await eventCancellation.cancelEvent(
    principal,
    params.eventId,
    eventService,
    context.getRemainingTimeInMillis(),
  ),
}));
