import { orderLifecycle } from '../shared/composition/orders.js';
import { actingAs } from '../shared/domain/actor.js';
import { logger, observedJob } from '../shared/observability.js';

/**
 * EventBridge Scheduler's target: one invocation per hold, at its expiry. A late,
 * repeated or obsolete call (the order was paid or cancelled) changes nothing.
 */
export const handler = observedJob(
  async (event: { orderId?: unknown }): Promise<{ expired: boolean }> => {
    if (typeof event.orderId !== 'string' || event.orderId === '') {
      // Retrying a malformed event cannot help; say so and drop it.
      logger.error('Expiry event without an orderId', { event });
      return { expired: false };
    }
    const orderId = event.orderId;
    logger.appendKeys({ orderId });
    return { expired: await actingAs({ system: 'expiry' }, () => orderLifecycle.expire(orderId)) };
  },
);
