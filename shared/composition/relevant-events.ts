import { DynamoEventRepository } from '../adapters/dynamo-event-repository.js';
import { systemClock } from '../domain/clock.js';
import { RelevantEvents } from '../domain/relevant-events.js';
import { documentClient, tableName } from './dynamodb.js';
import { users } from './users.js';

/** Built once per container. */
export const relevantEvents = new RelevantEvents(
  users,
  new DynamoEventRepository(documentClient, tableName),
  systemClock,
);
