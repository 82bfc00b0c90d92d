import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiEvent } from './principal.js';

type Request = middy.Request<ApiEvent, APIGatewayProxyStructuredResultV2>;

/**
 * Adds the headers `headersOf` gives to every answer, a success or a problem. Register
 * it before the middleware that turns errors into problems: middy runs `onError` in
 * reverse, so this one sees the problem response already built.
 */
export function answerHeaders(
  headersOf: (
    request: Request & { response: APIGatewayProxyStructuredResultV2 },
  ) => Record<string, string> | undefined,
): Pick<middy.MiddlewareObj<ApiEvent, APIGatewayProxyStructuredResultV2>, 'after' | 'onError'> {
  const add = (request: Request) => {
    const { response } = request;
    if (!response) return;
    const headers = headersOf({ ...request, response });
    if (headers) response.headers = { ...response.headers, ...headers };
  };
  return { after: add, onError: add };
}
