import { analyticsService } from '../shared/composition/analytics.js';
import { eventStatsQuerySchema } from '../shared/domain/analytics-model.js';
import { eventIdParamsSchema } from '../shared/domain/event-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { params: eventIdParamsSchema, query: eventStatsQuerySchema },
  async ({ principal, params }) => ({
    status: 200,
    body: await analyticsService.eventStats(principal, params.eventId),
  }),
);
