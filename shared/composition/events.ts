import { ulid } from 'ulid';
import { DynamoEventRepository } from '../adapters/dynamo-event-repository.js';
import { systemClock } from '../domain/clock.js';
import type { EventState } from '../domain/event-model.js';
import { EventService } from '../domain/events.js';
import { RecentReads } from '../domain/recent-reads.js';
import { ENV } from '../env.js';
import { logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';

/** Events remembered per container: far more than are ever on sale at once. */
const MAX_RECENT_EVENTS = 1_000;

/** README "Hot reads": 1 s by default; 0 switches the memo off. */
function eventReadMemoMs(): number {
  const raw = process.env[ENV.eventReadMemoMs]?.trim();
  if (raw === undefined || raw === '') return 1_000;
  if (!/^\d{1,6}$/.test(raw)) {
    throw new Error(`${ENV.eventReadMemoMs} must be a whole number of milliseconds, got "${raw}"`);
  }
  return Number(raw);
}

const windowMs = eventReadMemoMs();

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
  windowMs > 0
    ? new RecentReads<EventState | null>(systemClock, { windowMs, maxEntries: MAX_RECENT_EVENTS })
    : undefined,
);
