import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  maxHeaderSize,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JWK } from 'jose';
import type { RouteDefinition, Throttle } from '../shared/api/route-record.js';
import type { AuthorizerContext } from '../shared/http/principal.js';
import { problem } from '../shared/http/problem.js';
import { routes as allRoutes } from '../shared/routes.js';
import {
  type ApiHandler,
  localContext,
  matchPath,
  toApiEvent,
  toAuthorizerEvent,
  toHttpResponse,
} from './api-event.js';
import { docsResponse } from './docs.js';
import { LOCAL_JWKS_PATH } from './idp.js';

/*
 * The local stand-in for the HTTP API: it routes each request through the same route
 * table the CDK stack is built from, enforces each route's throttle, and calls the
 * route's real handler module in-process with a payload-format-2.0 event. It also
 * serves `/docs`, a Swagger UI page over the API's own `/openapi.json` (local only).
 *
 * This module must not import anything that reads configuration at load time
 * (shared/clients, shared/composition): `local/start.ts` sets the environment first,
 * and handler modules are only imported on their route's first request.
 */

export interface GatewayOptions {
  /** 0 picks a free port; `url` tells which. */
  port: number;
  /** Loopback by default: the local stack is not meant to be reachable from the network. */
  host?: string;
  routes?: readonly RouteDefinition[];
  /** Request bodies above this are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Receives one line per request (`METHOD /path STATUS 12ms`); default stdout. */
  log?: (line: string) => void;
  /** Folder holding the handler modules; default `functions/` of this repository. */
  functionsDir?: string;
  /** The local identity provider's public keys, served where the authorizer fetches them. */
  jwks?: { keys: JWK[] };
}

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const DEFAULT_FUNCTIONS_DIR = fileURLToPath(new URL('../functions/', import.meta.url));

interface GatewayResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
}

function problemResponse(
  status: number,
  code: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(problem(status, code, title, detail)),
  };
}

/**
 * What Node's HTTP parser could not turn into a request. Node's own answer to those is a
 * bare status line with no body; the API's clients get a problem like everywhere else.
 */
export function clientErrorResponse(error: NodeJS.ErrnoException): GatewayResponse {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return problemResponse(
        431,
        'REQUEST_HEADER_FIELDS_TOO_LARGE',
        'Request header fields too large',
        `The request line and headers must not exceed ${maxHeaderSize} bytes`,
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problemResponse(
        408,
        'REQUEST_TIMEOUT',
        'Request timeout',
        'The request did not arrive in time; it may be retried',
      );
    default:
      return problemResponse(
        400,
        'VALIDATION_FAILED',
        'The request is not valid',
        'The request is not well-formed HTTP/1.1',
      );
  }
}

/** The response as raw HTTP/1.1, for a socket that has no ServerResponse to write it. */
function serialise(response: GatewayResponse): string {
  const body = response.body?.toString() ?? '';
  const headers = {
    ...response.headers,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  return [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    body,
  ].join('\r\n');
}

/**
 * API Gateway's throttle: a token bucket per route holding up to `burstLimit` tokens,
 * refilled at `rateLimit` tokens per second; each request takes one.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly throttle: Throttle,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = throttle.burstLimit;
    this.last = now();
  }

  /** Takes a token if there is one; otherwise says how many ms until the next. */
  take(): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    const { rateLimit, burstLimit } = this.throttle;
    this.tokens = Math.min(burstLimit, this.tokens + ((now - this.last) / 1000) * rateLimit);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    const retryAfterMs =
      rateLimit > 0 && burstLimit >= 1 ? ((1 - this.tokens) / rateLimit) * 1000 : 60_000;
    return { ok: false, retryAfterMs };
  }
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        // Stop buffering; the rest of the upload is drained and discarded.
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!done) reject(error);
    });
  });
}

/** Node gives repeated headers as arrays; API Gateway joins them with commas. */
function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const routeTable = options.routes ?? allRoutes;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? ((line: string) => console.log(line));
  const functionsDir = options.functionsDir ?? DEFAULT_FUNCTIONS_DIR;
  const host = options.host ?? '127.0.0.1';

  const buckets = new Map(routeTable.map((route) => [route.id, new TokenBucket(route.throttle)]));
  const handlers = new Map<string, Promise<ApiHandler>>();

  /** Imports a handler module on its first use, like a cold start. */
  function handlerFor(moduleName: string): Promise<ApiHandler> {
    let loaded = handlers.get(moduleName);
    if (!loaded) {
      const url = pathToFileURL(`${functionsDir}/${moduleName}.ts`).href;
      loaded = import(url).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') {
          throw new Error(`functions/${moduleName}.ts does not export a handler function`);
        }
        return module.handler as ApiHandler;
      });
      // Forget a failed import, so a module fixed or added later is picked up (Node itself
      // remembers a module whose evaluation threw, until the gateway restarts).
      loaded.catch(() => handlers.delete(moduleName));
      handlers.set(moduleName, loaded);
    }
    return loaded;
  }

  async function respond(request: IncomingMessage): Promise<GatewayResponse> {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));

    if (options.jwks && method === 'GET' && path === LOCAL_JWKS_PATH) {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(options.jwks),
      };
    }
    if (method === 'GET') {
      const docs = await docsResponse(path);
      if (docs) return docs;
    }

    let route: RouteDefinition | undefined;
    let pathParameters: Record<string, string> = {};
    const allowed = new Set<string>();
    try {
      for (const candidate of routeTable) {
        const params = matchPath(candidate.path, path);
        if (!params) continue;
        allowed.add(candidate.method);
        if (candidate.method === method && !route) {
          route = candidate;
          pathParameters = params;
        }
      }
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      return problemResponse(
        400,
        'VALIDATION_FAILED',
        'The request is not valid',
        'The request path is not valid percent-encoding',
      );
    }

    if (!route) {
      if (allowed.size === 0) {
        return problemResponse(404, 'NOT_FOUND', 'Not found', `No route matches ${path}`);
      }
      const allow = [...allowed].join(', ');
      return problemResponse(
        405,
        'METHOD_NOT_ALLOWED',
        'Method not allowed',
        `${method} is not allowed on ${path}; allowed: ${allow}`,
        { allow },
      );
    }

    const bucket = buckets.get(route.id) ?? new TokenBucket(route.throttle);
    buckets.set(route.id, bucket);
    const token = bucket.take();
    if (!token.ok) {
      return problemResponse(
        429,
        'RATE_LIMITED',
        'Too many requests',
        'The rate limit for this route is exceeded; retry later',
        { 'retry-after': String(Math.max(1, Math.ceil(token.retryAfterMs / 1000))) },
      );
    }

    const tooLarge = problemResponse(
      413,
      'PAYLOAD_TOO_LARGE',
      'Request body too large',
      `The request body must not exceed ${maxBodyBytes} bytes`,
      { connection: 'close' },
    );
    const declaredLength = Number(request.headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > maxBodyBytes) return tooLarge;
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return tooLarge;
      throw error;
    }

    const event = toApiEvent(
      {
        method,
        path,
        query,
        headers: flattenHeaders(request),
        ...(body.length > 0 && { body: body.toString('utf8') }),
      },
      route,
      pathParameters,
    );
    const requestId = event.requestContext.requestId;

    let result: unknown;
    try {
      // As API Gateway does: the authorizer first, its context into the route's event.
      const authorizer = await handlerFor('authorizer');
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
      const handler = await handlerFor(route.handler);
      result = await handler(event, localContext(route.id));
    } catch (error) {
      // As in AWS, the client learns nothing; the developer's terminal gets everything.
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

  function internalError(requestId: string): GatewayResponse {
    const response = problemResponse(
      500,
      'INTERNAL',
      'Internal error',
      'Something went wrong on our side; the request may be retried',
    );
    response.headers['apigw-requestid'] = requestId;
    return response;
  }

  function write(res: ServerResponse, response: GatewayResponse): void {
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    res.statusCode = response.status;
    res.end(response.body);
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    // 'close' also fires when the client goes away before the answer is written.
    res.on('close', () => {
      const ms = Math.round(performance.now() - started);
      log(`${req.method} ${req.url} ${res.statusCode} ${ms}ms`);
    });
    respond(req)
      .catch((error: unknown) => {
        console.error('[gateway] unexpected failure:', error);
        return internalError(randomUUID());
      })
      .then((response) => {
        if (!res.headersSent) write(res, response);
      });
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A client that has gone can't be answered; its socket is only released.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const response = clientErrorResponse(error);
    log(`- - ${response.status} (${error.code ?? error.message})`);
    // The parser has given up on this connection: answer, then close it.
    socket.end(serialise(response));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${options.port} on ${host} is already in use`, { cause: error })
          : error,
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
        server.closeIdleConnections();
      }),
  };
}
