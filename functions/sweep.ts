import { eventService } from '../shared/composition/events.js';
import { orderService } from '../shared/composition/orders.js';
import { logger } from '../shared/observability.js';

/**
 * Every minute: expires holds whose schedule failed, finishes interrupted payments,
 * resends stuck emails, and takes events that have started out of the nearby index.
 * The two jobs run independently; if either fails, the invocation fails after both ran,
 * so the rule retries it.
 */
export const handler = async () => {
  const [orders, events] = await Promise.allSettled([
    orderService.sweep(),
    eventService.unlistStarted(),
  ]);
  if (orders.status === 'rejected') logger.error('Order sweep failed', orders.reason as Error);
  if (events.status === 'rejected') logger.error('Event sweep failed', events.reason as Error);
  if (orders.status === 'rejected') throw orders.reason;
  if (events.status === 'rejected') throw events.reason;
  const result = { ...orders.value, ...events.value };
  if (Object.values(result).some((count) => count > 0)) logger.info('Sweep repaired', result);
  return result;
};
