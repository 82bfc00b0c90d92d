import { ListOrders } from '../shared/api/routes/orders.js';
import { orderQueries } from '../shared/composition/orders.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(ListOrders, async ({ principal, query }) => ({
  status: 200,
  body: await orderQueries.listOrders(principal, query),
}));
