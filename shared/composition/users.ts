import { DynamoUserRepository } from '../adapters/dynamo-user-repository.js';
import { systemClock } from '../domain/clock.js';
import { Users } from '../domain/users.js';
import { documentClient, tableName } from './dynamodb.js';

export const userRepository = new DynamoUserRepository(documentClient, tableName);

/** Built once per container; handlers that only touch profiles share it. */
export const users = new Users(userRepository, systemClock);
