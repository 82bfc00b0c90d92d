import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { type Principal, ROLES, type Role } from '../domain/principal.js';

/** What the Lambda authorizer hands every protected handler. */
export interface AuthorizerContext {
  userId: string;
  email: string;
  /** Comma-separated: authorizer context values must be scalars. */
  roles: string;
}

export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext | undefined>;

/**
 * Until the identity issue lands there is no authorizer, so every route is open and a
 * caller without authorizer context acts with every role, as SPEC's routes need a user.
 * The identity work replaces this fallback with the anonymous principal.
 */
export const openAccessPrincipal: Principal = {
  userId: 'open-access',
  email: null,
  roles: ROLES,
};

export function principalOf(event: ApiEvent): Principal {
  const context = event.requestContext.authorizer?.lambda;
  if (!context) return openAccessPrincipal;
  return {
    userId: context.userId,
    email: context.email,
    roles: context.roles.split(',').filter((role): role is Role => ROLES.includes(role as Role)),
  };
}
