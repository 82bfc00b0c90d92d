import { orderQueries } from '../shared/composition/orders.js';
import { myOrdersQuerySchema } from '../shared/domain/order-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { query: myOrdersQuerySchema },
  async ({ principal, query }) => ({
    status: 200,
    body: await orderQueries.listMine(principal, query),
  }),
);
