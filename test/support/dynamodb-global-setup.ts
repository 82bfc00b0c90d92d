import type { TestProject } from 'vitest/node';
import { ensureTable, startDynamoDb } from '../../local/dynamodb.js';
import { freePort } from '../../local/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    tableName: string;
  }
}

/** One in-memory DynamoDB Local per test run, on a free loopback port. */
export default async function setup(project: TestProject) {
  const dynamoDb = await startDynamoDb({ port: await freePort() });
  const tableName = 'ticketing-integration';
  await ensureTable(dynamoDb.endpoint, tableName);
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  project.provide('tableName', tableName);
  return () => dynamoDb.stop();
}
