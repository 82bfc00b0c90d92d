import type { Clock } from './clock.js';
import type { EmailVerification } from './email-verification.js';
import { Forbidden, NotFound, Unauthenticated } from './errors.js';
import type { IdentityProvider, UserRepository } from './identity-ports.js';
import type { Page } from './page.js';
import { GROUP_ROLES, isAdmin, type Principal, type Role } from './principal.js';
import {
  type LoginInput,
  normaliseRoles,
  type RegisterInput,
  type UpdateMeInput,
  type User,
} from './user-model.js';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Profiles, from the user repository alone: no identity-provider access needed. */
export class Users {
  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  me(principal: Principal): Promise<User> {
    return this.get(principal, requireUser(principal));
  }

  async updateMe(principal: Principal, input: UpdateMeInput): Promise<User> {
    const userId = requireUser(principal);
    const updated = await this.users.update(userId, {
      ...input,
      updatedAt: this.clock.now().toISOString(),
    });
    if (!updated) throw new NotFound('User not found');
    return updated;
  }

  list(principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<User>> {
    requireAdmin(principal);
    return this.users.list(query);
  }

  /** Self or admin; anyone else learns nothing, not even that the user exists. */
  async get(principal: Principal, userId: string): Promise<User> {
    const callerId = requireUser(principal);
    const user = callerId === userId || isAdmin(principal) ? await this.users.get(userId) : null;
    if (!user) throw new NotFound(`User ${userId} not found`);
    return user;
  }
}

/** Everything that also touches the identity provider's credentials or groups. */
export class Accounts {
  private readonly profiles: Users;

  constructor(
    private readonly identity: IdentityProvider,
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly verification: Pick<EmailVerification, 'sendCode'>,
    /** A sign-up that stands though its code mail could not be queued: logged, not thrown. */
    private readonly onRecoverableError: (message: string, error: unknown) => void,
  ) {
    this.profiles = new Users(users, clock);
  }

  async register(input: RegisterInput): Promise<User> {
    const { userId } = await this.identity.createUser(input);
    const now = this.clock.now().toISOString();
    const user: User = {
      id: userId,
      email: input.email,
      name: input.name,
      roles: normaliseRoles([]),
      emailVerified: false,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.users.insert(user);
    } catch (error) {
      // No credentials without a profile: undo the provider's half, then report.
      await this.identity.deleteUser(user);
      throw error;
    }
    try {
      await this.verification.sendCode(user);
    } catch (error) {
      // The account is there; the user asks for the code again (resend).
      this.onRecoverableError('Could not send the verification code of a new user', error);
    }
    return user;
  }

  async login(input: LoginInput): Promise<LoginResult> {
    const { accessToken, expiresIn } = await this.identity.authenticate(
      input.email,
      input.password,
    );
    return { accessToken, tokenType: 'Bearer', expiresIn };
  }

  /**
   * Makes sure an admin with this email exists: registers it if needed, and grants it
   * the organizer and admin roles. How a new deployment gets its first admin.
   */
  async bootstrapAdmin(input: RegisterInput): Promise<User> {
    const user = (await this.users.getByEmail(input.email)) ?? (await this.register(input));
    const roles = normaliseRoles([...user.roles, ...GROUP_ROLES]);
    if (roles.length === user.roles.length) return user;
    return this.writeRoles(user.id, roles);
  }

  /** The denylist first: from then on the authorizer rejects the token, whatever follows. */
  async logout(principal: Principal, accessToken: string): Promise<void> {
    if (!principal.token) throw new Unauthenticated('Sign in to sign out');
    await this.users.revokeToken(principal.token.id, principal.token.expiresAt);
    await this.identity.signOut(accessToken);
  }

  async setRoles(principal: Principal, userId: string, roles: readonly Role[]): Promise<User> {
    requireAdmin(principal);
    await this.profiles.get(principal, userId);
    const next = normaliseRoles(roles);
    if (userId === principal.userId && !next.includes('admin')) {
      throw new Forbidden('Admins cannot remove their own admin role');
    }
    return this.writeRoles(userId, next);
  }

  /** Profile first: it is what authorization reads, so the change takes effect at once. */
  private async writeRoles(userId: string, roles: Role[]): Promise<User> {
    const updated = await this.users.update(userId, {
      roles,
      updatedAt: this.clock.now().toISOString(),
    });
    if (!updated) throw new NotFound(`User ${userId} not found`);
    await this.identity.setRoles(updated, roles);
    return updated;
  }

  async delete(principal: Principal, userId: string): Promise<void> {
    requireAdmin(principal);
    if (userId === principal.userId) throw new Forbidden('Admins cannot delete themselves');
    const user = await this.profiles.get(principal, userId);
    // Profile first: without it the authorizer rejects the user's tokens at once.
    await this.users.delete(user);
    await this.identity.deleteUser(user);
  }
}

function requireUser(principal: Principal): string {
  if (principal.userId === null) throw new Unauthenticated('Sign in to do this');
  return principal.userId;
}

function requireAdmin(principal: Principal): void {
  requireUser(principal);
  if (!isAdmin(principal)) throw new Forbidden('Only admins may do this');
}
