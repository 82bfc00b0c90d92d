import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../api/route-record.js';
import type { Authenticator } from '../domain/authenticator.js';
import type { ApiEvent } from './principal.js';

export type CallerCheck = Pick<Authenticator, 'authenticate'>;

/**
 * Public routes have no Lambda authorizer in front of them (an anonymous page view must
 * not pay for a second invocation). Those that show a signed-in caller more
 * (`identifiesCaller`) check a sent token in their own function, with the very
 * Authenticator the authorizer runs, and put the answer where the authorizer would have;
 * without a token nothing is called. Every other public route serves all callers alike.
 */
export function identifyPublicCaller(
  route: RouteDefinition,
  authenticator: CallerCheck | undefined,
): middy.MiddlewareObj<ApiEvent, APIGatewayProxyStructuredResultV2>[] {
  if (route.identifiesCaller === true && route.access !== 'public') {
    throw new Error(`${route.id}: only a public route checks its caller's token itself`);
  }
  if ((route.identifiesCaller === true) !== (authenticator !== undefined)) {
    throw new Error(
      `${route.id}: build its handler with an authenticator exactly when its route identifiesCaller`,
    );
  }
  if (!authenticator) return [];
  return [
    {
      before: async ({ event }) => {
        if (event.requestContext.authorizer?.lambda) return;
        const authorization = event.headers.authorization;
        const lambda =
          authorization === undefined
            ? ({ status: 'anonymous' } as const)
            : await authenticator.authenticate(authorization);
        event.requestContext.authorizer = { lambda };
      },
    },
  ];
}
