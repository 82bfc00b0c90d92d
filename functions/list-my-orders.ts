import { orderService } from '../shared/composition/orders.js';
import { myOrdersQuerySchema } from '../shared/domain/order-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { query: myOrdersQuerySchema },
  async ({ principal, query }) => ({
    status: 200,
    body: await orderService.listMine(principal, query),
  }),
);
