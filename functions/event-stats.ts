import { EventStats } from '../shared/api/routes/events.js';
import { analyticsService } from '../shared/composition/analytics.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(EventStats, async ({ principal, params }) => ({
  status: 200,
  body: await analyticsService.eventStats(principal, params.eventId),
}));
