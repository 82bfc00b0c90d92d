import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../db/batch-get.js';
import { queryIndexPage } from '../db/paging.js';
import { table, tokenKeys, userKeys } from '../db/table.js';
import { cancellationCodes } from '../db/transactions.js';
import { ConcurrentModification, EmailTaken } from '../domain/errors.js';
import type { AuthState, UserChanges, UserRepository } from '../domain/identity-ports.js';
import type { Page } from '../domain/page.js';
import type { User } from '../domain/user-model.js';

type Item = Record<string, unknown>;

const { collection } = table.globalSecondaryIndexes;

export class DynamoUserRepository implements UserRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async insert(user: User): Promise<void> {
    // Racing sign-ups for one email can cancel each other with TransactionConflict on
    // AWS; a retry sees the winner's claim and reports EmailTaken, or goes through.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.claimAndInsert(user);
        return;
      } catch (error) {
        const conflict = (cancellationCodes(error) ?? []).includes('TransactionConflict');
        if (!conflict) throw error;
        if (attempt >= 3) {
          throw new ConcurrentModification(`Another sign-up for ${user.email} is in progress`);
        }
      }
    }
  }

  private async claimAndInsert(user: User): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...userKeys.emailClaim(user.email), userId: user.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: toItem(user),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      const [claim] = cancellationCodes(error) ?? [];
      if (claim === 'ConditionalCheckFailed') {
        throw new EmailTaken(`${user.email} is already registered`);
      }
      throw error;
    }
  }

  async get(userId: string): Promise<User | null> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userKeys.profile(userId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? fromItem(result.Item) : null;
  }

  async getByEmail(email: string): Promise<User | null> {
    const { Item: claim } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userKeys.emailClaim(email),
        ConsistentRead: true,
      }),
    );
    return claim ? this.get(claim.userId as string) : null;
  }

  async list(query: { limit: number; cursor?: string }): Promise<Page<User>> {
    const page = await queryIndexPage(this.client, this.tableName, {
      index: 'collection',
      partition: userKeys.collectionPartition,
      itemKey: userKeys.profile,
      limit: query.limit,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
    return { items: page.items.map(fromItem), nextCursor: page.nextCursor };
  }

  async update(userId: string, changes: UserChanges): Promise<User | null> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKeys.profile(userId),
          UpdateExpression: [
            sets.length > 0 ? `SET ${sets.join(', ')}` : '',
            removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
          ].join(' '),
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? fromItem(result.Attributes) : null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  async delete(user: User): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: userKeys.profile(user.id) } },
          { Delete: { TableName: this.tableName, Key: userKeys.emailClaim(user.email) } },
        ],
      }),
    );
  }

  async revokeToken(tokenId: string, expiresAt: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...tokenKeys.revoked(tokenId), [table.timeToLiveAttribute]: expiresAt },
      }),
    );
  }

  async authState(userId: string, tokenId: string): Promise<AuthState> {
    const revokedKey = tokenKeys.revoked(tokenId);
    const found = await batchGetAll(
      this.client,
      this.tableName,
      [userKeys.profile(userId), revokedKey],
      { consistent: true },
    );
    const profile = found.find((item) => item.pk === userKeys.profile(userId).pk);
    return {
      user: profile ? fromItem(profile) : null,
      revoked: found.some((item) => item.pk === revokedKey.pk),
    };
  }
}

function profileItemKeys(userId: string, createdAt: string): Item {
  return {
    ...userKeys.profile(userId),
    [collection.partitionKey]: userKeys.collectionPartition,
    [collection.sortKey]: userKeys.createdAtSort(createdAt, userId),
  };
}

function toItem(user: User): Item {
  return {
    ...profileItemKeys(user.id, user.createdAt),
    entity: 'User',
    id: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    location: user.location,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

function fromItem(item: Item): User {
  return {
    id: item.id as string,
    email: item.email as string,
    name: item.name as string,
    roles: item.roles as User['roles'],
    ...(item.location !== undefined && { location: item.location as User['location'] & {} }),
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}
