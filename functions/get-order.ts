import { GetOrder } from '../shared/api/routes/orders.js';
import { orderQueries } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(GetOrder, async ({ principal, params }) => ({
  status: 200,
  body: await orderQueries.get(principal, params.orderId),
}));
