import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { type WebSocket, WebSocketServer } from 'ws';
import { localSockets } from '../shared/adapters/connection-gateways.js';
import {
  LiveConnect,
  LiveDefault,
  LiveDisconnect,
  type LiveRoute,
  liveRoutes,
} from '../shared/api/live-routes.js';
import { LIVE_LIMITS } from '../shared/domain/live-availability.js';
import type { LiveReply } from '../shared/websocket/handler.js';
import { localContext } from './api-event.js';
import type { HandlerModules } from './gateway/invocation.js';

/*
 * The local stand-in for the WebSocket API: on the gateway's port, at `/live`, it runs
 * the route handlers the stack deploys with the events API Gateway sends them ($connect
 * before the upgrade is accepted, a message routed by its `action`, $disconnect after
 * the close), sends a route's answer back, and registers each socket where the local
 * management API (`LocalConnections`) posts to it.
 */

export const LIVE_PATH = '/live';

/** API Gateway's limit on one WebSocket message. */
const MAX_MESSAGE_BYTES = 128 * 1024;
const CLOSE_GRACE_MS = 1_000;

/** Routes a message can take by its `action`: every route but the `$` ones. */
const actionRoutes = new Map(
  liveRoutes
    .filter((route) => !route.routeKey.startsWith('$'))
    .map((route) => [route.routeKey as string, route]),
);

/** As API Gateway's route selection `$request.body.action`: `$default` unless it names a route. */
function routeOf(message: string): LiveRoute {
  try {
    const action = (JSON.parse(message) as { action?: unknown } | null)?.action;
    return (typeof action === 'string' && actionRoutes.get(action)) || LiveDefault;
  } catch {
    return LiveDefault;
  }
}

/** Shaped like API Gateway's: 10 random bytes in base64, e.g. `L0SM9cOFvHcCIhw=`. */
const newConnectionId = (): string => randomBytes(10).toString('base64');

function websocketEvent(
  route: LiveRoute,
  connection: { id: string; connectedAt: number },
  body?: string,
): APIGatewayProxyWebsocketEventV2 {
  const now = new Date();
  const eventType =
    route.routeKey === '$connect'
      ? 'CONNECT'
      : route.routeKey === '$disconnect'
        ? 'DISCONNECT'
        : 'MESSAGE';
  return {
    requestContext: {
      routeKey: route.routeKey,
      messageId: randomUUID(),
      eventType,
      extendedRequestId: randomUUID(),
      requestTime: now.toUTCString(),
      messageDirection: 'IN',
      stage: 'local',
      connectedAt: connection.connectedAt,
      requestTimeEpoch: now.getTime(),
      requestId: randomUUID(),
      domainName: 'localhost',
      connectionId: connection.id,
      apiId: 'local',
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  };
}

export interface LiveServer {
  /** Closes every socket (running $disconnect for each), then the server. */
  close(): Promise<void>;
}

/** Serves the WebSocket API on `server`'s upgrades to `/live`. */
export function attachLiveServer(
  server: Server,
  options: { modules: HandlerModules; log: (line: string) => void },
): LiveServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const disconnects = new Set<Promise<void>>();

  async function invoke(
    route: LiveRoute,
    connection: { id: string; connectedAt: number },
    body?: string,
  ): Promise<LiveReply> {
    const started = performance.now();
    const handler = await options.modules.handler(route.handler);
    const reply = (await handler(
      websocketEvent(route, connection, body),
      localContext(route.id),
    )) as LiveReply;
    const ms = Math.round(performance.now() - started);
    options.log(`WS ${route.routeKey} ${connection.id} ${reply.statusCode} ${ms}ms`);
    return reply;
  }

  function refuse(socket: Duplex, status: number): void {
    socket.end(`HTTP/1.1 ${status} Refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  }

  function open(ws: WebSocket, connection: { id: string; connectedAt: number }): void {
    // Like PostToConnection, which answers once API Gateway has the message, not once
    // the client has it: `ws` queues it on the socket.
    localSockets.set(connection.id, {
      send: async (data) => {
        if (ws.readyState !== ws.OPEN) return 'gone';
        ws.send(data);
        return 'sent';
      },
    });
    // API Gateway's longest connection; the connection's items expire with it.
    const limit = setTimeout(
      () => ws.close(1001, 'Going away'),
      LIVE_LIMITS.connectionSeconds * 1000,
    );
    limit.unref();
    ws.on('message', (data) => {
      const message = data.toString();
      const route = routeOf(message);
      invoke(route, connection, message)
        .then((reply) => {
          if (route.replies && reply.body !== undefined && ws.readyState === ws.OPEN) {
            ws.send(reply.body);
          }
        })
        .catch((error: unknown) => console.error(`[live] ${route.id} failed:`, error));
    });
    ws.on('close', () => {
      clearTimeout(limit);
      localSockets.delete(connection.id);
      const done = invoke(LiveDisconnect, connection)
        .then(() => undefined)
        .catch((error: unknown) => console.error('[live] $disconnect failed:', error));
      disconnects.add(done);
      void done.then(() => disconnects.delete(done));
    });
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== LIVE_PATH) return refuse(socket, 404);
    const connection = { id: newConnectionId(), connectedAt: Date.now() };
    invoke(LiveConnect, connection)
      .then((reply) => {
        if (reply.statusCode >= 300) return refuse(socket, reply.statusCode);
        wss.handleUpgrade(request, socket, head, (ws) => open(ws, connection));
      })
      .catch((error: unknown) => {
        console.error('[live] $connect failed:', error);
        refuse(socket, 500);
      });
  });

  return {
    close: async () => {
      const closed = [...wss.clients].map(
        (ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())),
      );
      for (const ws of wss.clients) ws.close(1001, 'Server stopping');
      // A client that does not answer the close frame is cut off.
      const cutOff = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(cutOff);
      await Promise.all(disconnects);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
