import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../db/batch-get.js';
import { deletionWrites } from '../db/entities/audit.js';
import {
  emailClaimWrites,
  revokedTokenWrites,
  userFromItem,
  userWrites,
} from '../db/entities/user.js';
import { queryIndexPage } from '../db/paging.js';
import { tokenKeys, userKeys } from '../db/table.js';
import { TableWriter } from '../db/transactions.js';
import { ConcurrentModification, EmailTaken } from '../domain/errors.js';
import type { AuthState, UserChanges, UserRepository } from '../domain/identity-ports.js';
import type { Page } from '../domain/page.js';
import type { User } from '../domain/user-model.js';

/**
 * Users in DynamoDB: each profile with the claim on its email, and the logout denylist,
 * written as their entities allow (`shared/db/entities/user.ts`).
 */
export class DynamoUserRepository implements UserRepository {
  private readonly writer: TableWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  async insert(user: User): Promise<void> {
    // Racing sign-ups for one email can cancel each other with TransactionConflict on
    // AWS; a retry sees the winner's claim and reports EmailTaken, or goes through.
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.writer.transact(
        [this.writer.put(emailClaimWrites.insert(user)), this.writer.put(userWrites.insert(user))],
        { retryConflicts: false },
      );
      if (outcome.ok) return;
      if (outcome.codes[0] === 'ConditionalCheckFailed') {
        throw new EmailTaken(`${user.email} is already registered`);
      }
      if (!outcome.codes.includes('TransactionConflict')) throw outcome.error;
      if (attempt >= 3) {
        throw new ConcurrentModification(`Another sign-up for ${user.email} is in progress`);
      }
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
    return result.Item ? userFromItem(result.Item) : null;
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
    return { items: page.items.map(userFromItem), nextCursor: page.nextCursor };
  }

  async update(userId: string, changes: UserChanges): Promise<User | null> {
    const item = await this.writer.updateIfReturning(userWrites.update(userId, changes));
    return item ? userFromItem(item) : null;
  }

  async delete(user: User): Promise<void> {
    const outcome = await this.writer.transact(
      [
        this.writer.delete(userWrites.remove(user)),
        this.writer.delete(emailClaimWrites.remove(user)),
        this.writer.put(deletionWrites.mark(userKeys.profile(user.id))),
      ],
      { retryConflicts: false },
    );
    if (!outcome.ok) throw outcome.error;
  }

  async revokeToken(tokenId: string, expiresAt: number): Promise<void> {
    await this.writer.putIf(revokedTokenWrites.insert(tokenId, expiresAt));
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
      user: profile ? userFromItem(profile) : null,
      revoked: found.some((item) => item.pk === revokedKey.pk),
    };
  }
}
