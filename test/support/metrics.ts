import type { BusinessMetrics } from '../../shared/domain/metrics-port.js';

/** For domain units built by hand in tests that are about something else. */
export const noMetrics: BusinessMetrics = { count: () => {}, seconds: () => {} };
