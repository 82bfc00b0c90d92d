import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  connectionWrites,
  followedEventIds,
  pushWindowOf,
  pushWindowWrites,
  subscriptionWrites,
} from '../db/entities/live.js';
import { ItemExpression, type QueryFilter } from '../db/expression.js';
import { eventKeys, liveKeys, type PrimaryKey, table } from '../db/table.js';
import { TableWriter } from '../db/transactions.js';
import type { EventAvailability, PushWindow } from '../domain/live-availability.js';
import type { LiveRepository } from '../domain/live-ports.js';

/** DynamoDB's limit on the requests of one BatchWriteItem. */
const BATCH_WRITE_LIMIT = 25;

type StoredTicketType = { available: number; position: number };

export class DynamoLiveRepository implements LiveRepository {
  private readonly writer: TableWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  async addConnection(connectionId: string, expiresAt: number): Promise<void> {
    await this.writer.putIf(connectionWrites.insert(connectionId, expiresAt));
  }

  async removeConnection(connectionId: string): Promise<void> {
    const { Item: connection } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: liveKeys.connection(connectionId),
        ConsistentRead: true,
      }),
    );
    if (!connection) return;
    await this.deleteAll([
      ...followedEventIds(connection).map((eventId) =>
        liveKeys.subscription(eventId, connectionId),
      ),
      // Last: while it exists, a retry after a failure here still finds the rest.
      liveKeys.connection(connectionId),
    ]);
  }

  async subscribe(connectionId: string, eventId: string, expiresAt: number): Promise<boolean> {
    const outcome = await this.writer.transact([
      this.writer.update(connectionWrites.follow(connectionId, eventId)),
      this.writer.put(subscriptionWrites.insert(eventId, connectionId, expiresAt)),
    ]);
    if (outcome.ok) return true;
    if (outcome.codes[0] === 'ConditionalCheckFailed') return false;
    throw outcome.error;
  }

  async unsubscribe(connectionId: string, eventId: string): Promise<void> {
    await this.writer.deleteIf({ Key: liveKeys.subscription(eventId, connectionId) });
    await this.writer.updateIf(connectionWrites.unfollow(connectionId, eventId));
  }

  async availability(eventId: string): Promise<EventAvailability | null> {
    const { Item: inventory } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: eventKeys.inventory(eventId),
        ConsistentRead: true,
        ProjectionExpression: '#status, #ticketTypes',
        ExpressionAttributeNames: { '#status': 'status', '#ticketTypes': 'ticketTypes' },
      }),
    );
    if (!inventory) return null;
    const ticketTypes = Object.entries(inventory.ticketTypes as Record<string, StoredTicketType>)
      .sort(([, a], [, b]) => a.position - b.position)
      .map(([id, { available }]) => ({ id, available }));
    return { status: inventory.status as string, ticketTypes };
  }

  async claimPush(
    eventId: string,
    claim: { token: string; now: number; leaseUntil: number },
  ): Promise<{ claimed: true } | { claimed: false; window: PushWindow }> {
    const outcome = await this.writer.updateElseItem(pushWindowWrites.claim(eventId, claim));
    if (outcome.ok) return { claimed: true };
    if (!outcome.item) throw new Error(`Push window of event ${eventId} refused without an item`);
    return { claimed: false, window: pushWindowOf(outcome.item) };
  }

  async endPush(eventId: string, token: string, endedAt: number): Promise<void> {
    await this.writer.updateIf(pushWindowWrites.end(eventId, token, endedAt));
  }

  async followers(eventId: string, nowSeconds: number): Promise<string[]> {
    // TTL deletes lazily: a subscription past it may still be there.
    const live = new ItemExpression()
      .compare(table.timeToLiveAttribute, '>', nowSeconds)
      .toFilter() as QueryFilter;
    const connectionIds: string[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          FilterExpression: live.expression,
          ProjectionExpression: '#sk',
          ExpressionAttributeNames: {
            '#pk': table.partitionKey,
            '#sk': table.sortKey,
            ...live.names,
          },
          ExpressionAttributeValues: {
            ':pk': liveKeys.followersPartition(eventId),
            ':prefix': liveKeys.followerSortPrefix,
            ...live.values,
          },
          ConsistentRead: true,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) {
        connectionIds.push(liveKeys.connectionIdOfFollower(item[table.sortKey] as string));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return connectionIds;
  }

  /** Deletes every key, 25 to a request, retrying what DynamoDB leaves unprocessed. */
  private async deleteAll(keys: PrimaryKey[]): Promise<void> {
    for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
      let pending: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = keys
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((key) => ({ DeleteRequest: { Key: key } }));
      while (pending.length > 0) {
        const result = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}
