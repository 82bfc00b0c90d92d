import { PayOrder } from '../shared/api/routes/orders.js';
import { orderLifecycle } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(PayOrder, async ({ principal, params, body }) => ({
  status: 200,
  body: await orderLifecycle.pay(principal, params.orderId, body.paymentToken),
}));
