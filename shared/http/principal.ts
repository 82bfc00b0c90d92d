import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import type { RouteDefinition } from '../api/route-record.js';
import type { AuthorizerContext } from '../domain/authenticator.js';
import { NotReady, Unauthenticated } from '../domain/errors.js';
import { anonymous, type Principal, ROLES, type Role } from '../domain/principal.js';

export type { AuthorizerContext };

export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext | undefined>;

/**
 * The caller, as the Lambda authorizer found them (or, on a public route, the route's own
 * check of the token: `identifyPublicCaller`); a request without that context is treated
 * as anonymous (fail closed).
 * On public routes a rejected token counts as no token, so a client still sending an
 * expired one can browse and, above all, log in again. A token the authorizer could not
 * check (the table did not answer) is a 503 `NOT_READY` on every route, public ones too:
 * serving the caller as anonymous would hide what they may see, and 401 would tell a
 * client with a good token to sign in again.
 */
export function principalOf(event: ApiEvent, route: Pick<RouteDefinition, 'access'>): Principal {
  const context = event.requestContext.authorizer?.lambda;
  if (!context || context.status === 'anonymous') return anonymous;
  if (context.status === 'unavailable') throw new NotReady(context.reason);
  if (context.status === 'rejected') {
    if (route.access === 'public') return anonymous;
    throw new Unauthenticated(context.reason);
  }
  return {
    userId: context.userId,
    email: context.email,
    name: context.name,
    roles: context.roles.split(',').filter((role): role is Role => ROLES.includes(role as Role)),
    token: { id: context.tokenId, expiresAt: Number(context.tokenExpiresAt) },
  };
}
