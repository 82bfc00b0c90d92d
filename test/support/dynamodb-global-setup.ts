import type { TestProject } from 'vitest/node';
import { ensureTable, startDynamoDb } from '../../local/dynamodb.js';
import { startGateway } from '../../local/gateway.js';
import { localIdentityEnv, localSigningKey } from '../../local/idp.js';
import { freePort } from '../../local/ports.js';
import { startSes } from '../../local/ses.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    tableName: string;
    idempotencyTableName: string;
    /** The local identity provider's environment: signing key, issuer, JWKS URL, client. */
    identityEnv: Record<string, string>;
    /** The SES emulator every integration test sends mail to. */
    sesEndpoint: string;
  }
}

/**
 * Once per test run: an in-memory DynamoDB Local on a free loopback port, and the local
 * identity provider's key, published by a route-less gateway where the authorizer
 * fetches it, exactly as on the local stack.
 */
export default async function setup(project: TestProject) {
  const dynamoDb = await startDynamoDb({ port: await freePort() });
  const tableName = 'ticketing-integration';
  const idempotencyTableName = 'ticketing-integration-idempotency';
  await ensureTable(dynamoDb.endpoint, tableName);
  await ensureTable(dynamoDb.endpoint, idempotencyTableName, 'idempotency');
  const signingKey = await localSigningKey();
  const keyServer = await startGateway({
    port: 0,
    routes: [],
    jwks: signingKey.jwks,
    log: () => undefined,
  });
  const ses = await startSes({ port: await freePort() });
  project.provide('sesEndpoint', ses.endpoint);
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  project.provide('tableName', tableName);
  project.provide('idempotencyTableName', idempotencyTableName);
  project.provide('identityEnv', localIdentityEnv(signingKey, keyServer.url));
  return async () => {
    await keyServer.close();
    await ses.close();
    await dynamoDb.stop();
  };
}
