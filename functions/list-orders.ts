import { orderQueries } from '../shared/composition/orders.js';
import { listOrdersQuerySchema } from '../shared/domain/order-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { query: listOrdersQuerySchema },
  async ({ principal, query }) => ({
    status: 200,
    body: await orderQueries.listOrders(principal, query),
  }),
);
