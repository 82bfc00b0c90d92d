import { orderLifecycle } from '../shared/composition/orders.js';
import { orderIdParamsSchema, payBodySchema } from '../shared/domain/order-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: orderIdParamsSchema, body: payBodySchema },
  async ({ principal, params, body }) => ({
    status: 200,
    body: await orderLifecycle.pay(principal, params.orderId, body.paymentToken),
  }),
);
