import { HoldTickets } from '../shared/api/routes/orders.js';
import { holdIdempotently } from '../shared/composition/idempotent-hold.js';
import { orderLifecycle } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  HoldTickets,
  async ({ principal, params, body, headers, context }) => {
    const key = headers['idempotency-key'];
    const order =
      key && principal.userId
        ? await holdIdempotently(
            {
              userId: principal.userId,
              key,
              request: { eventId: params.eventId, body },
              principal,
            },
            context,
          )
        : await orderLifecycle.hold(principal, params.eventId, body);
    return { status: 201, body: order };
  },
);
