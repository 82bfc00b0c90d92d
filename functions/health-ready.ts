import { HealthReady } from '../shared/api/routes/service.js';
import { readinessChecks } from '../shared/composition/readiness.js';
import { checkReadiness, DEFAULT_READINESS_TIMEOUT_MS } from '../shared/domain/readiness.js';
import { httpHandler } from '../shared/http/handler.js';
import { logger } from '../shared/observability.js';

export const handler = httpHandler(HealthReady, async () => ({
  status: 200,
  body: {
    status: 'ok',
    checks: await checkReadiness(readinessChecks, {
      timeoutMs: DEFAULT_READINESS_TIMEOUT_MS,
      onCheckFailed: (name, error) => logger.warn(`Readiness check ${name} failed`, error as Error),
    }),
  },
}));
