/**
 * Helpers for tests that talk to the local gateway over real HTTP with real tokens from
 * the local identity provider. Only for the integration project (needs DynamoDB Local
 * and the identity environment that integration-setup.ts puts in process.env).
 */
import { expect } from 'vitest';
import { type RunningGateway, startGateway } from '../../local/gateway.js';
import type { RouteDefinition } from '../../shared/api/route-record.js';
import type { Role } from '../../shared/domain/principal.js';
import { routes } from '../../shared/routes.js';
import { uniqueToken } from './events-fixtures.js';

export const PROBLEM_JSON = 'application/problem+json';

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The raw body, for checks on what must never appear in it. */
  text: string;
  body: any;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  body?: unknown;
  /** Sent as is, for malformed-JSON cases. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** The route table with every throttle raised out of the way, for tests of something else. */
export function unthrottled(table: readonly RouteDefinition[] = routes): RouteDefinition[] {
  return table.map((route) => ({
    ...route,
    throttle: { rateLimit: 100_000, burstLimit: 100_000 },
  }));
}

/** A gateway on a free port, serving the whole route table without throttling. */
export function startTestGateway(): Promise<RunningGateway> {
  return startGateway({ port: 0, routes: unthrottled(), log: () => undefined });
}

export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...((options.body !== undefined || options.rawBody !== undefined) && {
        'content-type': 'application/json',
      }),
      ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    ...(options.rawBody !== undefined && { body: options.rawBody }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export function expectProblem(response: HttpResponse, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toBe(PROBLEM_JSON);
  expect(response.body).toMatchObject({ status, code });
  expect(response.body.type).toMatch(/^https:\/\//);
  expect(typeof response.body.title).toBe('string');
  expect(typeof response.body.detail).toBe('string');
}

export function uniqueEmail(prefix = 'user'): string {
  return `${uniqueToken(prefix)}@example.com`;
}

export interface Actor {
  id: string;
  email: string;
  password: string;
  token: string;
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await send(baseUrl, 'POST', '/v1/auth/login', { body: { email, password } });
  expect(response.status, response.text).toBe(200);
  return response.body.accessToken as string;
}

/** Registers a new user through the API and logs them in. */
export async function registerActor(baseUrl: string, prefix = 'user'): Promise<Actor> {
  const email = uniqueEmail(prefix);
  const password = `pw-${uniqueToken()}`;
  const registered = await send(baseUrl, 'POST', '/v1/auth/register', {
    body: { email, password, name: `Test ${prefix}` },
  });
  expect(registered.status, registered.text).toBe(201);
  return { id: registered.body.id, email, password, token: await login(baseUrl, email, password) };
}

/**
 * A new admin (with the organizer role too), made the way a deployment gets its first
 * one: `bootstrapAdmin`. Imported lazily, as the composition reads the environment.
 */
export async function registerAdmin(baseUrl: string): Promise<Actor> {
  const { accounts } = await import('../../shared/composition/accounts.js');
  const email = uniqueEmail('admin');
  const password = `pw-${uniqueToken()}`;
  const admin = await accounts.bootstrapAdmin({ email, password, name: 'Test admin' });
  return { id: admin.id, email, password, token: await login(baseUrl, email, password) };
}

/** Grants roles through the API, as an admin would. */
export async function grantRoles(
  baseUrl: string,
  admin: Actor,
  userId: string,
  roles: Role[],
): Promise<void> {
  const response = await send(baseUrl, 'PUT', `/v1/users/${userId}/roles`, {
    token: admin.token,
    body: { roles },
  });
  expect(response.status, response.text).toBe(200);
}

export async function registerOrganizer(baseUrl: string, admin: Actor): Promise<Actor> {
  const organizer = await registerActor(baseUrl, 'organizer');
  await grantRoles(baseUrl, admin, organizer.id, ['organizer']);
  return organizer;
}
