import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayConnections, LocalConnections } from '../adapters/connection-gateways.js';
import { DynamoLiveRepository } from '../adapters/dynamo-live-repository.js';
import { systemClock } from '../domain/clock.js';
import { LiveBroadcaster } from '../domain/live-broadcaster.js';
import type { ConnectionGateway } from '../domain/live-ports.js';
import { LiveSubscriptions } from '../domain/live-subscriptions.js';
import { ENV, requireEnv } from '../env.js';
import { logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';

const runtime = requireEnv(ENV.runtime);
if (runtime !== 'aws' && runtime !== 'local') {
  throw new Error(`${ENV.runtime} must be "aws" or "local", got "${runtime}"`);
}

/**
 * On AWS only the broadcaster has the management endpoint, with the grant to post to
 * it; any other function that tried would be refused loudly here, not by IAM.
 */
function connections(): ConnectionGateway {
  if (runtime === 'local') return new LocalConnections();
  const endpoint = process.env[ENV.liveConnectionsEndpoint];
  if (endpoint === undefined) {
    return {
      post: async () => {
        throw new Error('This function is not configured to post to WebSocket connections');
      },
    };
  }
  return new ApiGatewayConnections(new ApiGatewayManagementApiClient({ endpoint }));
}

/** Built once per container; the WebSocket route handlers and the broadcaster share them. */
const repository = new DynamoLiveRepository(documentClient, tableName);

export const liveSubscriptions = new LiveSubscriptions(repository, systemClock);

export const liveBroadcaster = new LiveBroadcaster({
  repository,
  connections: connections(),
  clock: systemClock,
  newToken: randomUUID,
  sleep: (ms) => sleep(ms),
  onRecoverableError: (message, error) => logger.error(message, error as Error),
});
