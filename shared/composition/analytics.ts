import { DynamoAnalyticsRepository } from '../adapters/dynamo-analytics-repository.js';
import { DynamoEventRepository } from '../adapters/dynamo-event-repository.js';
import { AnalyticsService } from '../domain/analytics.js';
import { systemClock } from '../domain/clock.js';
import { documentClient, tableName } from './dynamodb.js';

/** Built once per container; the stats and analytics handlers share it. */
export const analyticsService = new AnalyticsService({
  events: new DynamoEventRepository(documentClient, tableName),
  analytics: new DynamoAnalyticsRepository(documentClient, tableName),
  clock: systemClock,
});
