import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RouteDefinition } from '../../shared/api/route-record.js';
import type { ApiEvent } from '../../shared/http/principal.js';
import { identifyPublicCaller } from '../../shared/http/public-identity.js';
import { routes } from '../../shared/routes.js';

const authenticate = vi.fn();
const authenticator = { authenticate };

const routeById = (id: string) => routes.find((route) => route.id === id) as RouteDefinition;

async function identify(route: RouteDefinition, headers: Record<string, string>) {
  const event = { headers, requestContext: {} } as unknown as ApiEvent;
  for (const middleware of identifyPublicCaller(route, authenticator)) {
    await middleware.before?.({ event } as never);
  }
  return event.requestContext.authorizer?.lambda;
}

beforeEach(() => {
  authenticate.mockReset();
});

describe('identifyPublicCaller (public routes have no authorizer)', () => {
  it('calls nothing for an anonymous request: the caller is anonymous', async () => {
    const context = await identify(routeById('ListEvents'), {});

    expect(context).toEqual({ status: 'anonymous' });
    expect(authenticate).not.toHaveBeenCalled();
  });

  it("checks a sent token with the authorizer's own Authenticator", async () => {
    authenticate.mockResolvedValue({ status: 'authenticated', userId: 'u1' });

    const context = await identify(routeById('GetEvent'), { authorization: 'Bearer t' });

    expect(authenticate).toHaveBeenCalledWith('Bearer t');
    expect(context).toMatchObject({ status: 'authenticated', userId: 'u1' });
  });

  it('is built exactly for the public routes that identify their callers', () => {
    const identifying = routes.filter((route) => route.identifiesCaller).map((route) => route.id);
    expect(identifying.sort()).toEqual(['GetEvent', 'GetSeats', 'GraphQL', 'ListEvents']);
    expect(identifyPublicCaller(routeById('Login'), undefined)).toEqual([]);
    expect(() => identifyPublicCaller(routeById('Login'), authenticator)).toThrow(
      /identifiesCaller/,
    );
    expect(() => identifyPublicCaller(routeById('ListEvents'), undefined)).toThrow(
      /identifiesCaller/,
    );
  });
});
