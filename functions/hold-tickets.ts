import { HoldTickets } from '../shared/api/routes/orders.js';
import { placeHold } from '../shared/composition/idempotent-hold.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  HoldTickets,
  async ({ principal, params, body, headers, context }) => ({
    status: 201,
    body: await placeHold({
      principal,
      eventId: params.eventId,
      body,
      idempotencyKey: headers['idempotency-key'],
      context,
    }),
  }),
);
