import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { RouteDefinition } from '../../shared/api/route-record.js';
import type { ApiEvent, AuthorizerContext } from '../../shared/http/principal.js';
import { type ApiHandler, localContext, toAuthorizerEvent, toHttpResponse } from '../api-event.js';
import { type GatewayResponse, internalError } from './responses.js';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Calls handler modules in-process as API Gateway calls Lambdas: each imported on its
 * first use (a cold start), the authorizer first (for routes that need a token) with its
 * context passed into the route's event, and a handler's answer checked and turned into the HTTP response.
 */
export class HandlerInvoker {
  constructor(private readonly modules: HandlerModules) {}

  /**
   * `admit` takes the route's throttle token once the caller is known: a request without
   * a valid token to a route that needs one goes to the handler for its 401 (and its
   * client's limit) without spending the budget signed-in callers share.
   */
  async invoke(
    route: RouteDefinition,
    event: ApiEvent,
    admit: () => GatewayResponse | null = () => null,
  ): Promise<GatewayResponse> {
    const requestId = event.requestContext.requestId;
    let result: unknown;
    try {
      // As on AWS, public routes have no authorizer: their function checks a sent token.
      if (route.access !== 'public') {
        const authorizer = await this.handlerFor('authorizer');
        const verdict = (await authorizer(
          toAuthorizerEvent(event) as never,
          localContext('Authorizer'),
        )) as { isAuthorized: boolean; context?: AuthorizerContext };
        if (!verdict.isAuthorized) {
          return {
            status: 403,
            headers: { 'content-type': 'application/json', 'apigw-requestid': requestId },
            body: JSON.stringify({ message: 'Forbidden' }),
          };
        }
        event.requestContext.authorizer = { lambda: verdict.context };
      }
      const context = event.requestContext.authorizer?.lambda;
      if (route.access === 'public' || context?.status === 'authenticated') {
        const throttled = admit();
        if (throttled)
          return { ...throttled, headers: { ...throttled.headers, 'apigw-requestid': requestId } };
      }
      const handler = await this.handlerFor(route.handler);
      result = await handler(event, localContext(route.id));
    } catch (error) {
      console.error(`[gateway] ${route.id} (${route.handler}) failed:`, error);
      return internalError(requestId);
    }

    const response = toHttpResponse(result);
    if (
      !Number.isInteger(response.statusCode) ||
      response.statusCode < 100 ||
      response.statusCode > 599
    ) {
      console.error(`[gateway] ${route.id} returned an invalid statusCode:`, response.statusCode);
      return internalError(requestId);
    }
    const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      headers[name.toLowerCase()] = String(value);
    }
    if (response.cookies && response.cookies.length > 0) headers['set-cookie'] = response.cookies;
    return {
      status: response.statusCode,
      headers,
      ...(response.body !== undefined && {
        body: response.isBase64Encoded ? Buffer.from(response.body, 'base64') : response.body,
      }),
    };
  }

  private handlerFor(moduleName: string): Promise<ApiHandler> {
    return this.modules.handler(moduleName);
  }
}

/**
 * Handler modules of `functionsDir`, each imported on its first use (a cold start) and
 * kept; a failed import is forgotten, so a module fixed or added later is picked up
 * (Node itself remembers a module whose evaluation threw, until the process restarts).
 */
export class HandlerModules {
  private readonly handlers = new Map<string, Promise<LambdaHandler>>();

  constructor(private readonly functionsDir: string) {}

  handler(moduleName: string): Promise<LambdaHandler> {
    let loaded = this.handlers.get(moduleName);
    if (!loaded) {
      const url = pathToFileURL(`${this.functionsDir}/${moduleName}.ts`).href;
      loaded = import(url).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') {
          throw new Error(`functions/${moduleName}.ts does not export a handler function`);
        }
        return module.handler as LambdaHandler;
      });
      loaded.catch(() => this.handlers.delete(moduleName));
      this.handlers.set(moduleName, loaded);
    }
    return loaded;
  }
}
