import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { BusinessMetrics } from './domain/metrics-port.js';

export const logger = new Logger({ serviceName: 'ticketing' });

/**
 * CloudWatch metrics as EMF lines in the function's log: no agent, no API call. The
 * `service` dimension is `ticketing`; each function flushes at the end of an invocation.
 */
const metrics = new Metrics({ namespace: 'Ticketing', serviceName: 'ticketing' });

export const businessMetrics: BusinessMetrics = {
  count: (event, times = 1) => metrics.addMetric(event, MetricUnit.Count, times),
  seconds: (event, value) => metrics.addMetric(event, MetricUnit.Seconds, value),
};

/**
 * Writes what the invocation counted. Only when there is something: Powertools warns on
 * every empty flush, and most requests count nothing.
 */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** `flushMetrics` after a middy handler, whether it answered or threw. */
const metricsFlush = (): MiddlewareObj => ({
  after: flushMetrics,
  onError: flushMetrics,
});

interface ApiRequest {
  requestContext: { requestId: string };
  pathParameters?: Record<string, string | undefined>;
}

/**
 * What every API handler starts with: the Lambda context on each log line, and the API
 * request id as `correlation_id` (the id in API Gateway's access log and the caller's
 * `apigw-requestid`), plus the order id when the path names one. Keys are reset after
 * each invocation, so a warm container never logs the previous request's ids.
 */
export const apiObservability = <E extends ApiRequest>(): MiddlewareObj<E>[] => [
  injectLambdaContext(logger, { resetKeys: true }),
  {
    before: ({ event }) => {
      logger.setCorrelationId(event.requestContext.requestId);
      const orderId = event.pathParameters?.orderId;
      if (orderId !== undefined) logger.appendKeys({ orderId });
    },
  },
  metricsFlush(),
];

/**
 * The same for a function that is not an API route (the authorizer, the jobs, the
 * stream and queue consumers): its Lambda context on each log line, as
 * `injectLambdaContext` adds it, and its metrics flushed when it ends. A job that needs no
 * context may still be called with its event alone (tests, the local runtime).
 */
export function observedJob<A extends [event: unknown, context?: Context], R>(
  run: (...args: A) => Promise<R>,
) {
  return async (...args: A): Promise<R> => {
    const [, context] = args;
    if (context) logger.addContext(context);
    try {
      return await run(...args);
    } finally {
      flushMetrics();
      logger.resetKeys();
    }
  };
}
