/**
 * In-memory fakes of the identity ports (IdentityProvider, UserRepository,
 * TokenVerifier) for pure unit tests. They keep the ports' documented semantics
 * (EmailTaken on a second claim, update only if the user exists) and write every
 * mutating call to a shared journal, so tests can assert what happened and in which order.
 */
import { EmailTaken, Unauthenticated } from '../../shared/domain/errors.js';
import type {
  AuthState,
  IdentityProvider,
  TokenVerifier,
  UserChanges,
  UserRepository,
  VerifiedToken,
} from '../../shared/domain/identity-ports.js';
import type { Page } from '../../shared/domain/page.js';
import type { Principal, Role } from '../../shared/domain/principal.js';
import type { User } from '../../shared/domain/user-model.js';

/** Mutating calls, in order, across the fakes that share it. */
export type Journal = string[];

export const FIXED_NOW = new Date('2030-01-01T12:00:00.000Z');

export function fixedClock(now: Date = FIXED_NOW) {
  return { now: () => new Date(now) };
}

export function storedUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? 'user-1';
  return {
    id,
    email: `${id}@example.com`,
    name: 'Test User',
    roles: ['customer'],
    emailVerified: false,
    createdAt: '2029-01-01T00:00:00.000Z',
    updatedAt: '2029-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export class InMemoryUserRepository implements UserRepository {
  readonly profiles = new Map<string, User>();
  /** Lower-cased email → user id. */
  readonly claims = new Map<string, string>();
  /** Token id → expiry (epoch seconds). */
  readonly revoked = new Map<string, number>();
  /** When set, the next insert throws it (and writes nothing). */
  insertError: Error | undefined;

  constructor(readonly journal: Journal = []) {}

  seed(...users: User[]): this {
    for (const user of users) {
      this.profiles.set(user.id, structuredClone(user));
      this.claims.set(user.email.toLowerCase(), user.id);
    }
    return this;
  }

  async insert(user: User): Promise<void> {
    this.journal.push(`repo.insert:${user.id}`);
    if (this.insertError) {
      const error = this.insertError;
      this.insertError = undefined;
      throw error;
    }
    if (this.claims.has(user.email.toLowerCase())) {
      throw new EmailTaken(`${user.email} is already registered`);
    }
    this.seed(user);
  }

  async get(userId: string): Promise<User | null> {
    const user = this.profiles.get(userId);
    return user ? structuredClone(user) : null;
  }

  async getByEmail(email: string): Promise<User | null> {
    const userId = this.claims.get(email.toLowerCase());
    return userId === undefined ? null : this.get(userId);
  }

  async list(query: { limit: number; cursor?: string }): Promise<Page<User>> {
    const all = [...this.profiles.values()];
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const items = all.slice(start, start + query.limit).map((user) => structuredClone(user));
    const next = start + query.limit;
    return { items, nextCursor: next < all.length ? String(next) : null };
  }

  async update(userId: string, changes: UserChanges): Promise<User | null> {
    this.journal.push(`repo.update:${userId}`);
    const current = this.profiles.get(userId);
    if (!current) return null;
    const { location, ...rest } = changes;
    const next: User = { ...current, ...rest };
    if (location === null) delete next.location;
    else if (location !== undefined) next.location = location;
    this.profiles.set(userId, structuredClone(next));
    return structuredClone(next);
  }

  async delete(user: User): Promise<void> {
    this.journal.push(`repo.delete:${user.id}`);
    this.profiles.delete(user.id);
    this.claims.delete(user.email.toLowerCase());
  }

  async revokeToken(tokenId: string, expiresAt: number): Promise<void> {
    this.journal.push(`repo.revokeToken:${tokenId}:${expiresAt}`);
    this.revoked.set(tokenId, expiresAt);
  }

  async authState(userId: string, tokenId: string): Promise<AuthState> {
    return { user: await this.get(userId), revoked: this.revoked.has(tokenId) };
  }
}

interface FakeCredential {
  userId: string;
  password: string;
  name: string;
}

export class FakeIdentityProvider implements IdentityProvider {
  /** Lower-cased email → credential. */
  readonly credentials = new Map<string, FakeCredential>();
  readonly createUserCalls: { email: string; password: string; name: string }[] = [];
  readonly setRolesCalls: { userId: string; roles: Role[] }[] = [];
  readonly deleteUserCalls: { id: string; email: string }[] = [];
  readonly signedOut: string[] = [];
  readonly verifiedEmails: string[] = [];
  private nextId = 0;

  constructor(readonly journal: Journal = []) {}

  async createUser(input: { email: string; password: string; name: string }) {
    this.journal.push(`idp.createUser:${input.email}`);
    this.createUserCalls.push({ ...input });
    const key = input.email.toLowerCase();
    if (this.credentials.has(key)) throw new EmailTaken(`${input.email} is already registered`);
    const userId = `idp-user-${++this.nextId}`;
    this.credentials.set(key, { userId, password: input.password, name: input.name });
    return { userId };
  }

  async signOut(accessToken: string): Promise<void> {
    this.journal.push(`idp.signOut:${accessToken}`);
    this.signedOut.push(accessToken);
  }

  async authenticate(email: string, password: string) {
    const credential = this.credentials.get(email.toLowerCase());
    if (!credential || credential.password !== password) {
      throw new Unauthenticated('Invalid email or password');
    }
    return { accessToken: `token-for-${credential.userId}`, expiresIn: 3600 };
  }

  async setRoles(user: Pick<User, 'id' | 'email'>, roles: readonly Role[]): Promise<void> {
    this.journal.push(`idp.setRoles:${user.id}`);
    this.setRolesCalls.push({ userId: user.id, roles: [...roles] });
  }

  async markEmailVerified(user: Pick<User, 'id' | 'email'>): Promise<void> {
    this.journal.push(`idp.markEmailVerified:${user.id}`);
    this.verifiedEmails.push(user.email);
  }

  async deleteUser(user: Pick<User, 'id' | 'email'>): Promise<void> {
    this.journal.push(`idp.deleteUser:${user.id}`);
    this.deleteUserCalls.push({ id: user.id, email: user.email });
    for (const [email, credential] of this.credentials) {
      if (credential.userId === user.id) this.credentials.delete(email);
    }
  }
}

/** Registration's code mail, for tests of everything else: records whom it was sent to. */
export class FakeVerification {
  readonly sentTo: string[] = [];

  async sendCode(user: Pick<User, 'id'>): Promise<void> {
    this.sentTo.push(user.id);
  }
}

/** A verifier that answers from a table of known tokens, or fails as told. */
export class FakeTokenVerifier implements TokenVerifier {
  readonly tokens = new Map<string, VerifiedToken>();
  readonly verified: string[] = [];
  /** When set, every verify throws it. */
  failure: Error | undefined;

  async verify(token: string): Promise<VerifiedToken> {
    this.verified.push(token);
    if (this.failure) throw this.failure;
    const verified = this.tokens.get(token);
    if (!verified) throw new Error(`FakeTokenVerifier: unexpected token ${token}`);
    return verified;
  }
}

/** A domain principal carrying the access token it presented. */
export function principalFor(
  user: Pick<User, 'id' | 'email' | 'roles'>,
  token: { id: string; expiresAt: number } = { id: `jti-${user.id}`, expiresAt: 1_900_000_000 },
): Principal {
  return { userId: user.id, email: user.email, roles: user.roles, token };
}
