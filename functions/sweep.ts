import { eventService } from '../shared/composition/events.js';
import { eventCancellation, orderSweep } from '../shared/composition/orders.js';
import { actingAs } from '../shared/domain/actor.js';
import { logger, observedJob } from '../shared/observability.js';

/**
 * Every minute: expires holds whose schedule failed, finishes interrupted payments,
 * resends stuck emails, finishes event cancellations their requests left pending, and
 * takes events that have started out of the nearby index. The jobs run independently;
 * if any fails, the invocation fails after all ran, so the rule retries it.
 */
export const handler = observedJob(async () => {
  const [orders, cancellations, events] = await actingAs({ system: 'sweep' }, () =>
    Promise.allSettled([
      orderSweep.sweep(),
      eventCancellation.finishCancellations(),
      eventService.unlistStarted(),
    ]),
  );
  if (orders.status === 'rejected') logger.error('Order sweep failed', orders.reason as Error);
  if (cancellations.status === 'rejected') {
    logger.error('Cancellation sweep failed', cancellations.reason as Error);
  }
  if (events.status === 'rejected') logger.error('Event sweep failed', events.reason as Error);
  if (orders.status === 'rejected') throw orders.reason;
  if (cancellations.status === 'rejected') throw cancellations.reason;
  if (events.status === 'rejected') throw events.reason;
  const result = { ...orders.value, ...cancellations.value, ...events.value };
  if (Object.values(result).some((count) => count > 0)) logger.info('Sweep repaired', result);
  return result;
});
