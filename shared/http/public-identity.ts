import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../api/route-record.js';
import type { ApiEvent } from './principal.js';

/*
 * Loaded on first use: only public routes that tell callers apart need the verifier and
 * its configuration.
 */
let loaded: Promise<typeof import('../composition/authenticator.js')> | undefined;
const loadAuthenticator = () => {
  loaded ??= import('../composition/authenticator.js');
  return loaded;
};

/**
 * Public routes have no Lambda authorizer in front of them (an anonymous page view must
 * not pay for a second invocation): the route's own function checks a token, if one is
 * sent, with the very Authenticator the authorizer runs, and puts the answer where the
 * authorizer would have. Without a token nothing is called. Routes that serve every
 * caller alike (`perClientLimit: false`: liveness, readiness, the document) skip this.
 */
export function identifyPublicCaller(
  route: RouteDefinition,
): middy.MiddlewareObj<ApiEvent, APIGatewayProxyStructuredResultV2>[] {
  if (route.access !== 'public' || route.perClientLimit === false) return [];
  return [
    {
      before: async ({ event }) => {
        if (event.requestContext.authorizer?.lambda) return;
        const authorization = event.headers.authorization;
        const lambda =
          authorization === undefined
            ? ({ status: 'anonymous' } as const)
            : await (await loadAuthenticator()).authenticator.authenticate(authorization);
        event.requestContext.authorizer = { lambda };
      },
    },
  ];
}
