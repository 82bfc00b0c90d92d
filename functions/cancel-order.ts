import { orderLifecycle } from '../shared/composition/orders.js';
import { orderIdParamsSchema } from '../shared/domain/order-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: orderIdParamsSchema },
  async ({ principal, params }) => ({
    status: 200,
    body: await orderLifecycle.cancel(principal, params.orderId),
  }),
);
