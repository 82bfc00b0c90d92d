import { ulid } from 'ulid';
import { DynamoEventRepository } from '../adapters/dynamo-event-repository.js';
import { systemClock } from '../domain/clock.js';
import { EventService } from '../domain/events.js';
import { logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';

/** Built once per container; every event handler, and the sweep, shares it. */
export const eventService = new EventService(
  new DynamoEventRepository(documentClient, tableName),
  systemClock,
  ulid,
  (message, error) => logger.error(message, error as Error),
  {
    // Loaded only when a capacity raise reaches somebody waiting: the orders' wiring
    // (scheduler, queue) is no other event handler's business.
    afterRelease: async (eventId, ticketTypeIds) => {
      const { orderLifecycle } = await import('./orders.js');
      await orderLifecycle.handover.afterRelease(eventId, ticketTypeIds);
    },
  },
);
