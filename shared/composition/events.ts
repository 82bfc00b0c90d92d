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
);
