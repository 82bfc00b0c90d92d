import {
  type ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { LiveMessage } from '../domain/live-availability.js';
import type { ConnectionGateway } from '../domain/live-ports.js';

/** API Gateway's management API of the stack's WebSocket stage. */
export class ApiGatewayConnections implements ConnectionGateway {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, message: LiveMessage): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: JSON.stringify(message),
        }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      throw error;
    }
  }
}

/** A socket of the local WebSocket server, as the local management API reaches it. */
export interface LocalSocket {
  /** `gone` once the socket has closed. */
  send(data: string): Promise<'sent' | 'gone'>;
}

/**
 * The open sockets of the local WebSocket server, by connection id. One per process:
 * the local gateway serves the sockets and runs the broadcaster in the same process.
 */
export const localSockets = new Map<string, LocalSocket>();

/** Locally, PostToConnection writes to the local server's socket (local/live-server.ts). */
export class LocalConnections implements ConnectionGateway {
  async post(connectionId: string, message: LiveMessage): Promise<'sent' | 'gone'> {
    return (await localSockets.get(connectionId)?.send(JSON.stringify(message))) ?? 'gone';
  }
}
