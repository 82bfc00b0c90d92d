import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  auditedItemKey,
  auditRecordFromItem,
  auditWrites,
  deletionFromItem,
} from '../db/entities/audit.js';
import { ItemExpression } from '../db/expression.js';
import { queryIndexPage } from '../db/paging.js';
import { auditKeys } from '../db/table.js';
import { TableWriter } from '../db/transactions.js';
import type { AuditRepository, Deletion } from '../domain/audit.js';
import type { AuditEntityType, AuditQuery, AuditRecord } from '../domain/audit-model.js';
import type { Page } from '../domain/page.js';

/** The audit trail in the table (`shared/db/entities/audit.ts`). */
export class DynamoAuditRepository implements AuditRepository {
  private readonly writer: TableWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  async insert(record: AuditRecord): Promise<boolean> {
    return (await this.writer.putIf(auditWrites.insert(record))).ok;
  }

  async deletedBy(entityType: AuditEntityType, entityId: string): Promise<Deletion | null> {
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: auditKeys.deletion(auditedItemKey[entityType](entityId)),
        // Written in the deleting transaction, which the stream shows only once committed.
        ConsistentRead: true,
      }),
    );
    if (!item) return null;
    const { actor, at } = deletionFromItem(item);
    return { actor: actor ?? { system: 'unattributed' }, at };
  }

  /**
   * An entity's history when `entityId` is given (narrowed to `actorId` by a filter),
   * else the user's changes; `from`/`to` bound the time sort of either index.
   */
  async list(query: AuditQuery): Promise<Page<AuditRecord>> {
    const filter = new ItemExpression();
    if (query.entityType !== undefined) filter.compare('entityType', '=', query.entityType);
    if (query.entityId !== undefined && query.actorId !== undefined) {
      filter.compare(['actor', 'userId'], '=', query.actorId);
    }
    const conditions = filter.toFilter();
    const page = await queryIndexPage(this.client, this.tableName, {
      ...(query.entityId !== undefined
        ? { index: 'collection', partition: auditKeys.byEntityPartition(query.entityId) }
        : { index: 'byOwner', partition: auditKeys.byActorPartition(query.actorId ?? '') }),
      itemKey: auditKeys.record,
      limit: query.limit,
      newestFirst: true,
      // Sort values are `<at>#<id>`: the sentinel keeps every record of `to`.
      ...(query.from !== undefined && { low: query.from }),
      ...(query.to !== undefined && { high: `${query.to}#\uffff` }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
      ...(conditions && { filter: conditions }),
    });
    return { items: page.items.map(auditRecordFromItem), nextCursor: page.nextCursor };
  }
}
