import { DynamoUserRepository } from '../adapters/dynamo-user-repository.js';
import { documentClient, tableName } from '../clients/dynamodb.js';
import { systemClock } from '../domain/clock.js';
import { Users } from '../domain/users.js';

export const userRepository = new DynamoUserRepository(documentClient, tableName);

/** Built once per container; handlers that only touch profiles share it. */
export const users = new Users(userRepository, systemClock);
