import { DynamoAuditRepository } from '../adapters/dynamo-audit-repository.js';
import { AuditTrail } from '../domain/audit.js';
import { documentClient, tableName } from './dynamodb.js';

/** Built once per container: the stream consumer records with it, the admin route reads. */
export const auditTrail = new AuditTrail(new DynamoAuditRepository(documentClient, tableName));
