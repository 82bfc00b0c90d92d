import { analyticsService } from '../shared/composition/analytics.js';
import { analyticsQuerySchema } from '../shared/domain/analytics-model.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  { query: analyticsQuerySchema },
  async ({ principal, query }) => ({
    status: 200,
    body: await analyticsService.analytics(principal, query),
  }),
);
