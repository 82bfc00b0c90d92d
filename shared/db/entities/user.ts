/**
 * A user's items, as stored: the profile, the claim that keeps its email unique, and the
 * access tokens revoked at logout. The one place that knows their attributes and the
 * writes each allows.
 */
import type { UserChanges } from '../../domain/identity-ports.js';
import type { User } from '../../domain/user-model.js';
import { ItemExpression } from '../expression.js';
import { table, tokenKeys, userKeys } from '../table.js';
import { actorAttribute, stampActor } from './audit.js';
import type { PutWrite, UpdateWrite } from './writes.js';

type Item = Record<string, unknown>;

const { collection } = table.globalSecondaryIndexes;

/** The whole profile, in the users collection by creation. */
export function toUserItem(user: User): Item {
  return {
    ...userKeys.profile(user.id),
    [collection.partitionKey]: userKeys.collectionPartition,
    [collection.sortKey]: userKeys.createdAtSort(user.createdAt, user.id),
    entity: 'User',
    id: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    emailVerified: user.emailVerified,
    location: user.location,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    ...actorAttribute(),
  };
}

export function userFromItem(item: Item): User {
  return {
    id: item.id as string,
    email: item.email as string,
    name: item.name as string,
    roles: item.roles as User['roles'],
    // Profiles from before verification existed never proved their address.
    emailVerified: item.emailVerified === true,
    ...(item.location !== undefined && { location: item.location as User['location'] & {} }),
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

/** The writes of the profile. */
export const userWrites = {
  /** A new profile: the item must not exist yet. */
  insert: (user: User): PutWrite => ({
    Item: toUserItem(user),
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  /**
   * Only the given fields (null removes one), so concurrent changes to the others
   * survive; only while the user exists.
   */
  update: (userId: string, changes: UserChanges): UpdateWrite => {
    const change = stampActor(new ItemExpression()).whenPresent();
    for (const [field, value] of Object.entries(changes)) {
      if (value === null) change.remove(field);
      else if (value !== undefined) change.set(field, value);
    }
    return { Key: userKeys.profile(userId), ...change.toUpdate() };
  },

  remove: (user: User) => ({ Key: userKeys.profile(user.id) }),
};

/** The writes of `EMAIL#<email>` / `CLAIM`: which user holds an address. */
export const emailClaimWrites = {
  /** Claims the user's email, only if nobody holds it yet. */
  insert: (user: User): PutWrite => ({
    Item: { ...userKeys.emailClaim(user.email), userId: user.id },
    ...new ItemExpression().whenAbsent().toCondition(),
  }),

  remove: (user: User) => ({ Key: userKeys.emailClaim(user.email) }),
};

/** The writes of `TOKEN#<jti>` / `REVOKED`: the logout denylist. */
export const revokedTokenWrites = {
  /** Denies the token until `expiresAt` (epoch seconds), when the TTL removes the entry. */
  insert: (tokenId: string, expiresAt: number): PutWrite => ({
    Item: { ...tokenKeys.revoked(tokenId), [table.timeToLiveAttribute]: expiresAt },
  }),
};
