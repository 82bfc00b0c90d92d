import { orderService } from '../shared/composition/orders.js';
import { logger } from '../shared/observability.js';

/** Every minute: expires holds whose schedule failed, finishes interrupted payments, resends stuck emails. */
export const handler = async () => {
  const result = await orderService.sweep();
  if (result.expired + result.recovered + result.relayed > 0) logger.info('Sweep repaired', result);
  return result;
};
