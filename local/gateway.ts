import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import type { RouteDefinition } from '../shared/api/route-record.js';
import { routes as allRoutes } from '../shared/routes.js';
import { toApiEvent } from './api-event.js';
import { docsResponse } from './docs.js';
import { flattenHeaders, readRequestBody } from './gateway/body.js';
import { HandlerInvoker, HandlerModules } from './gateway/invocation.js';
import {
  clientErrorResponse,
  type GatewayResponse,
  internalError,
  serialise,
} from './gateway/responses.js';
import { resolveRoute } from './gateway/routing.js';
import { RouteThrottles } from './gateway/throttling.js';
import { graphiqlResponse } from './graphiql.js';
import { LOCAL_JWKS_PATH } from './idp.js';
import { attachLiveServer } from './live-server.js';

/*
 * The local stand-in for the HTTP API: it routes each request through the same route
 * table the CDK stack is built from, runs the authorizer, enforces each route's throttle
 * (a capacity guard for all callers together, which a request a route would refuse as
 * unauthenticated does not spend), and calls the route's real handler module in-process
 * with a payload-format-2.0 event whose `sourceIp` is the socket's peer. It also
 * serves `/docs`, a Swagger UI page over the API's own `/openapi.json`, and `GET /graphql`,
 * GraphiQL over `POST /graphql` (both local only), and, on the same port, the WebSocket
 * API at `/live` (`live-server.ts`).
 * Its steps live in `local/gateway/`: routing, throttling, body reading, invocation.
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

/** The socket's peer, as API Gateway's `sourceIp`: never a header a client can set. */
function peerAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '127.0.0.1';
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6.
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const routeTable = options.routes ?? allRoutes;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  const throttles = new RouteThrottles();
  const modules = new HandlerModules(options.functionsDir ?? DEFAULT_FUNCTIONS_DIR);
  const invoker = new HandlerInvoker(modules);

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
      const docs = (await docsResponse(path)) ?? graphiqlResponse(path);
      if (docs) return docs;
    }
    const resolved = resolveRoute(routeTable, method, path);
    if ('status' in resolved) return resolved;
    const { route, pathParameters } = resolved;
    const body = await readRequestBody(request, maxBodyBytes);
    if (!Buffer.isBuffer(body)) return body;
    const event = toApiEvent(
      {
        method,
        path,
        query,
        headers: flattenHeaders(request),
        ...(body.length > 0 && { body: body.toString('utf8') }),
        sourceIp: peerAddress(request),
      },
      route,
      pathParameters,
    );
    return invoker.invoke(route, event, () => throttles.admit(route));
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

  const live = attachLiveServer(server, { modules, log });

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
    close: async () => {
      await live.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
        server.closeIdleConnections();
      });
    },
  };
}
