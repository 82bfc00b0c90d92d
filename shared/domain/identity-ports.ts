import type { Page } from './page.js';
import type { Role } from './principal.js';
import type { Location, User } from './user-model.js';

export interface UserChanges {
  name?: string;
  /** `null` removes the location. */
  location?: Location | null;
  roles?: Role[];
  emailVerified?: true;
  updatedAt: string;
}

/**
 * Who holds the credentials: Cognito on AWS, a DynamoDB-backed provider that signs
 * real JWTs locally. Profiles and roles live in the UserRepository either way.
 */
export interface IdentityProvider {
  /** Throws EmailTaken when the address is registered already. */
  createUser(input: { email: string; password: string; name: string }): Promise<{ userId: string }>;
  /** Throws Unauthenticated on unknown email or wrong password, without saying which. */
  authenticate(
    email: string,
    password: string,
  ): Promise<{ accessToken: string; expiresIn: number }>;
  /**
   * Ends the provider's session for this access token (Cognito GlobalSignOut). Our own
   * rejection of the token comes from the denylist, which the provider cannot feed.
   */
  signOut(accessToken: string): Promise<void>;
  /** Mirrors roles into the provider (Cognito groups), for tools that look there. */
  setRoles(user: Pick<User, 'id' | 'email'>, roles: readonly Role[]): Promise<void>;
  deleteUser(user: Pick<User, 'id' | 'email'>): Promise<void>;
  /**
   * Mirrors a verified address into the provider (Cognito's `email_verified`, which its
   * own account recovery requires); the profile's `emailVerified` is what the API reports.
   */
  markEmailVerified(user: Pick<User, 'id' | 'email'>): Promise<void>;
}

/** A code as issued: `id` names it in the mail's once-only marker. */
export interface IssuedCode {
  id: string;
  code: string;
  expiresAt: Date;
  tries: number;
}

/**
 * The user's one live email-verification code, stored as a salted hash. `attempt` spends a
 * try before it compares, in one conditional write, so no number of parallel guesses gets
 * more comparisons than the code has tries.
 */
export interface VerificationCodes {
  /** Replaces any earlier code of the user's, which stops working. */
  issue(userId: string, code: IssuedCode): Promise<void>;
  /** `spent`: no code, expired, or out of tries; a new one is needed. */
  attempt(userId: string, code: string, now: Date): Promise<'match' | 'mismatch' | 'spent'>;
  remove(userId: string): Promise<void>;
}

export interface AuthState {
  user: User | null;
  revoked: boolean;
}

export interface UserRepository {
  /** Throws EmailTaken when another user has claimed the address. */
  insert(user: User): Promise<void>;
  get(userId: string): Promise<User | null>;
  getByEmail(email: string): Promise<User | null>;
  list(query: { limit: number; cursor?: string }): Promise<Page<User>>;
  /**
   * Changes only the given fields, so concurrent changes to other fields survive (a
   * profile edit must not undo an admin's role change). Null when the user is gone.
   */
  update(userId: string, changes: UserChanges): Promise<User | null>;
  delete(user: User): Promise<void>;
  /** Denies the token until `expiresAt` (epoch seconds), when it would be dead anyway. */
  revokeToken(tokenId: string, expiresAt: number): Promise<void>;
  /** What the authorizer needs about a token's owner, in one round trip. */
  authState(userId: string, tokenId: string): Promise<AuthState>;
}

/** What a verified access token says. */
export interface VerifiedToken {
  userId: string;
  tokenId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface TokenVerifier {
  /** Throws InvalidToken unless signature, issuer, client, use and expiry all check out. */
  verify(token: string): Promise<VerifiedToken>;
}

export class InvalidToken extends Error {
  override readonly name = 'InvalidToken';
}
