import { CancelOrder } from '../shared/api/routes/orders.js';
import { orderLifecycle } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(CancelOrder, async ({ principal, params }) => ({
  status: 200,
  body: await orderLifecycle.cancel(principal, params.orderId),
}));
