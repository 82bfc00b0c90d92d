import { AdminAnalytics } from '../shared/api/routes/events.js';
import { analyticsService } from '../shared/composition/analytics.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(AdminAnalytics, async ({ principal, query }) => ({
  status: 200,
  body: await analyticsService.analytics(principal, query),
}));
