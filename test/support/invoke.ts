import { expect } from 'vitest';
import { localContext, matchPath, toApiEvent, toHttpResponse } from '../../local/api-event.js';
import type { AuthorizerContext } from '../../shared/http/principal.js';
import { routes } from '../../shared/routes.js';

export interface TestResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export interface InvokeOptions {
  body?: unknown;
  /** Sent as is, for malformed-JSON cases. */
  rawBody?: string;
  /** Merged over `content-type: application/json`; `undefined` leaves a header out. */
  headers?: Record<string, string | undefined>;
  as?: AuthorizerContext;
}

function sentHeaders(overrides: InvokeOptions['headers'] = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({
    'content-type': 'application/json',
    ...overrides,
  })) {
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/**
 * Calls the route's real handler module with the event API Gateway would send, as the
 * local gateway does, and returns the decoded response.
 */
export async function invoke(
  method: string,
  target: string,
  options: InvokeOptions = {},
): Promise<TestResponse> {
  const url = new URL(target, 'http://localhost');
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchPath(route.path, url.pathname);
    if (!params) continue;
    const module = (await import(`../../functions/${route.handler}.ts`)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const event = toApiEvent(
      {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: sentHeaders(options.headers),
        ...(options.rawBody !== undefined && { body: options.rawBody }),
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
        ...(options.as && { authorizer: options.as }),
      },
      route,
      params,
    );
    const response = toHttpResponse(await module.handler(event, localContext(route.id)));
    const headers = (response.headers ?? {}) as Record<string, string>;
    return {
      status: response.statusCode,
      headers,
      body: response.body ? JSON.parse(response.body) : undefined,
    };
  }
  throw new Error(`No route for ${method} ${url.pathname}`);
}

/** A problem+json answer with this status and code, and every field SPEC requires. */
export function expectProblem(response: TestResponse, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
}
