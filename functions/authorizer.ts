import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { authenticator } from '../shared/composition/authenticator.js';
import type { AuthorizerContext } from '../shared/domain/authenticator.js';
import { logger, observedJob } from '../shared/observability.js';

/**
 * The Lambda authorizer in front of every route. It authenticates and hands the
 * result on; the one HTTP wrapper turns a rejection into 401 and a missing role into
 * 403 as problem+json, which API Gateway's own denial (a bare 403) cannot be.
 */
export const handler = observedJob(
  async (
    event: APIGatewayRequestAuthorizerEventV2,
  ): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
    // The request's id, as the route's own log lines carry it.
    logger.setCorrelationId(event.requestContext.requestId);
    return {
      isAuthorized: true,
      context: await authenticator.authenticate(event.headers?.authorization),
    };
  },
);
