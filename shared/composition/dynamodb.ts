import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV, requireEnv } from '../env.js';

// Built once per container. A local endpoint comes from AWS_ENDPOINT_URL_DYNAMODB,
// which the SDK reads itself, so no code path differs between AWS and local.
export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const tableName = requireEnv(ENV.tableName);
