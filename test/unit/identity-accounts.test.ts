import { beforeEach, describe, expect, it } from 'vitest';
import { EmailTaken, Forbidden, NotFound, Unauthenticated } from '../../shared/domain/errors.js';
import { anonymous } from '../../shared/domain/principal.js';
import { registerSchema, updateMeSchema } from '../../shared/domain/user-model.js';
import { Accounts, Users } from '../../shared/domain/users.js';
import {
  FakeIdentityProvider,
  FakeVerification,
  FIXED_NOW,
  fixedClock,
  InMemoryUserRepository,
  type Journal,
  principalFor,
  storedUser,
} from '../support/identity-fakes.js';

let journal: Journal;
let identity: FakeIdentityProvider;
let repository: InMemoryUserRepository;
let accounts: Accounts;
let users: Users;
let verification: FakeVerification;

beforeEach(() => {
  journal = [];
  identity = new FakeIdentityProvider(journal);
  repository = new InMemoryUserRepository(journal);
  verification = new FakeVerification();
  accounts = new Accounts(identity, repository, fixedClock(), verification, () => {});
  users = new Users(repository, fixedClock());
});

const NOW = FIXED_NOW.toISOString();
const admin = storedUser({ id: 'admin-1', roles: ['customer', 'admin'] });
const customer = storedUser({ id: 'cust-1', roles: ['customer'] });
const organizer = storedUser({ id: 'org-1', roles: ['customer', 'organizer'] });

describe('Accounts.register', () => {
  it('creates the credentials, then a customer profile with the lower-cased email', async () => {
    // Prepare
    const input = registerSchema.parse({
      email: 'Ann.Smith@Example.COM',
      password: 'correct horse',
      name: '  Ann Smith ',
    });

    // Act
    const user = await accounts.register(input);

    // Assess
    expect(user).toEqual({
      id: 'idp-user-1',
      email: 'ann.smith@example.com',
      name: 'Ann Smith',
      roles: ['customer'],
      emailVerified: false,
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(verification.sentTo).toEqual(['idp-user-1']);
    expect(identity.createUserCalls).toEqual([
      { email: 'ann.smith@example.com', password: 'correct horse', name: 'Ann Smith' },
    ]);
    expect(await repository.get('idp-user-1')).toEqual(user);
    expect(journal).toEqual(['idp.createUser:ann.smith@example.com', 'repo.insert:idp-user-1']);
  });

  it('never puts the password into the profile', async () => {
    // Act
    const user = await accounts.register(
      registerSchema.parse({ email: 'a@example.com', password: 'secret-pass', name: 'A' }),
    );

    // Assess
    expect(JSON.stringify(await repository.get(user.id))).not.toContain('secret-pass');
  });

  it('deletes the provider’s user when the profile insert fails, and reports the insert error', async () => {
    // Prepare
    const taken = new EmailTaken('a@example.com is already registered');
    repository.insertError = taken;

    // Act
    const attempt = accounts.register(
      registerSchema.parse({ email: 'a@example.com', password: 'password1', name: 'A' }),
    );

    // Assess
    await expect(attempt).rejects.toBe(taken);
    expect(identity.deleteUserCalls).toEqual([{ id: 'idp-user-1', email: 'a@example.com' }]);
    expect(identity.credentials.size).toBe(0);
    expect(repository.profiles.size).toBe(0);
    expect(journal).toEqual([
      'idp.createUser:a@example.com',
      'repo.insert:idp-user-1',
      'idp.deleteUser:idp-user-1',
    ]);
  });

  it('compensates for any insert failure, not only EmailTaken', async () => {
    // Prepare
    const outage = new Error('table unavailable');
    repository.insertError = outage;

    // Act
    const attempt = accounts.register(
      registerSchema.parse({ email: 'b@example.com', password: 'password1', name: 'B' }),
    );

    // Assess
    await expect(attempt).rejects.toBe(outage);
    expect(identity.deleteUserCalls).toHaveLength(1);
  });

  it('writes no profile and deletes nothing when the provider reports EmailTaken', async () => {
    // Prepare
    await accounts.register(
      registerSchema.parse({ email: 'dup@example.com', password: 'password1', name: 'First' }),
    );
    journal.length = 0;

    // Act
    const attempt = accounts.register(
      registerSchema.parse({ email: 'DUP@example.com', password: 'password2', name: 'Second' }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(EmailTaken);
    expect(journal).toEqual(['idp.createUser:dup@example.com']);
    expect(identity.deleteUserCalls).toEqual([]);
    expect(repository.profiles.size).toBe(1);
  });
});

describe('Accounts.login', () => {
  it('returns the provider’s token as a Bearer token', async () => {
    // Prepare
    await accounts.register(
      registerSchema.parse({ email: 'a@example.com', password: 'password1', name: 'A' }),
    );

    // Act
    const result = await accounts.login({ email: 'a@example.com', password: 'password1' });

    // Assess
    expect(result).toEqual({
      accessToken: 'token-for-idp-user-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
    });
  });

  it('lets the provider’s Unauthenticated through', async () => {
    // Act
    const attempt = accounts.login({ email: 'nobody@example.com', password: 'whatever1' });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(Unauthenticated);
  });
});

describe('Accounts.bootstrapAdmin', () => {
  const input = registerSchema.parse({
    email: 'Admin@Example.com',
    password: 'admin-password',
    name: 'Admin',
  });

  it('registers the admin when absent, with organizer and admin roles in profile and provider', async () => {
    // Act
    const created = await accounts.bootstrapAdmin(input);

    // Assess
    expect(created).toMatchObject({
      id: 'idp-user-1',
      email: 'admin@example.com',
      roles: ['customer', 'organizer', 'admin'],
    });
    expect(await repository.getByEmail('admin@example.com')).toEqual(created);
    expect(identity.createUserCalls).toHaveLength(1);
    expect(identity.setRolesCalls).toEqual([
      { userId: 'idp-user-1', roles: ['customer', 'organizer', 'admin'] },
    ]);
  });

  it('promotes an existing user with that email instead of registering again', async () => {
    // Prepare
    const existing = storedUser({ id: 'existing', email: 'admin@example.com', name: 'Old' });
    repository.seed(existing);

    // Act
    const promoted = await accounts.bootstrapAdmin(input);

    // Assess
    expect(promoted).toEqual({
      ...existing,
      roles: ['customer', 'organizer', 'admin'],
      updatedAt: NOW,
    });
    expect(await repository.get('existing')).toEqual(promoted);
    expect(identity.createUserCalls).toEqual([]);
    expect(identity.setRolesCalls).toEqual([
      { userId: 'existing', roles: ['customer', 'organizer', 'admin'] },
    ]);
  });

  it('is idempotent: a second call changes nothing and mirrors no roles again', async () => {
    // Prepare
    const first = await accounts.bootstrapAdmin(input);
    journal.length = 0;

    // Act
    const second = await accounts.bootstrapAdmin(input);

    // Assess
    expect(second).toEqual(first);
    expect(journal).toEqual([]);
    expect(identity.createUserCalls).toHaveLength(1);
    expect(identity.setRolesCalls).toHaveLength(1);
  });
});

describe('Accounts.setRoles', () => {
  beforeEach(() => {
    repository.seed(admin, customer, organizer);
  });

  it('normalises the roles: customer always, stable order, no duplicates', async () => {
    const cases = [
      { requested: ['admin', 'organizer'], stored: ['customer', 'organizer', 'admin'] },
      { requested: [], stored: ['customer'] },
      { requested: ['organizer', 'organizer'], stored: ['customer', 'organizer'] },
      { requested: ['organizer', 'customer'], stored: ['customer', 'organizer'] },
    ] as const;
    for (const { requested, stored } of cases) {
      // Act
      const updated = await accounts.setRoles(principalFor(admin), customer.id, requested);

      // Assess
      expect(updated.roles, JSON.stringify(requested)).toEqual(stored);
      expect((await repository.get(customer.id))?.roles).toEqual(stored);
      expect(identity.setRolesCalls.at(-1)).toEqual({ userId: customer.id, roles: stored });
    }
  });

  it('writes the profile before mirroring to the provider', async () => {
    // Act
    await accounts.setRoles(principalFor(admin), organizer.id, []);

    // Assess
    expect(journal).toEqual([`repo.update:${organizer.id}`, `idp.setRoles:${organizer.id}`]);
    expect((await repository.get(organizer.id))?.updatedAt).toBe(NOW);
  });

  it('forbids an admin to remove their own admin role, and changes nothing', async () => {
    // Act
    const attempt = accounts.setRoles(principalFor(admin), admin.id, ['organizer']);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(Forbidden);
    expect(journal).toEqual([]);
    expect((await repository.get(admin.id))?.roles).toEqual(['customer', 'admin']);
  });

  it('lets an admin change their own roles while keeping admin', async () => {
    // Act
    const updated = await accounts.setRoles(principalFor(admin), admin.id, ['admin', 'organizer']);

    // Assess
    expect(updated.roles).toEqual(['customer', 'organizer', 'admin']);
  });

  it('forbids non-admins, even on themselves', async () => {
    for (const caller of [customer, organizer]) {
      // Act
      const attempt = accounts.setRoles(principalFor(caller), caller.id, ['admin']);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(Forbidden);
    }
    expect(journal).toEqual([]);
  });

  it('asks an anonymous caller to sign in', async () => {
    // Act
    const attempt = accounts.setRoles(anonymous, customer.id, ['organizer']);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('answers NotFound for an unknown user and mirrors nothing', async () => {
    // Act
    const attempt = accounts.setRoles(principalFor(admin), 'ghost', ['organizer']);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NotFound);
    expect(identity.setRolesCalls).toEqual([]);
  });
});

describe('Accounts.delete', () => {
  beforeEach(() => {
    repository.seed(admin, customer);
  });

  it('forbids an admin to delete themselves, and deletes nothing', async () => {
    // Act
    const attempt = accounts.delete(principalFor(admin), admin.id);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(Forbidden);
    expect(journal).toEqual([]);
    expect(await repository.get(admin.id)).not.toBeNull();
  });

  it('deletes the profile first, then the provider’s user', async () => {
    // Act
    await accounts.delete(principalFor(admin), customer.id);

    // Assess
    expect(journal).toEqual([`repo.delete:${customer.id}`, `idp.deleteUser:${customer.id}`]);
    expect(identity.deleteUserCalls).toEqual([{ id: customer.id, email: customer.email }]);
    expect(await repository.get(customer.id)).toBeNull();
    expect(await repository.getByEmail(customer.email)).toBeNull();
  });

  it('answers NotFound for an unknown user and touches the provider not at all', async () => {
    // Act
    const attempt = accounts.delete(principalFor(admin), 'ghost');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NotFound);
    expect(journal).toEqual([]);
  });

  it('forbids non-admins', async () => {
    // Prepare
    const other = storedUser({ id: 'other' });
    repository.seed(other);

    // Act
    const attempt = accounts.delete(principalFor(customer), other.id);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(Forbidden);
    expect(journal).toEqual([]);
  });
});

describe('Users.get and Users.list', () => {
  beforeEach(() => {
    repository.seed(admin, customer, organizer);
  });

  it('shows a user to themselves and to admins', async () => {
    // Act
    const self = await users.get(principalFor(customer), customer.id);
    const byAdmin = await users.get(principalFor(admin), customer.id);

    // Assess
    expect(self).toEqual(customer);
    expect(byAdmin).toEqual(customer);
  });

  it('answers NotFound to anyone else, the same for existing and unknown ids', async () => {
    // Act
    const existing = users.get(principalFor(organizer), customer.id);
    const unknown = users.get(principalFor(organizer), 'ghost');

    // Assess
    await expect(existing).rejects.toBeInstanceOf(NotFound);
    await expect(unknown).rejects.toBeInstanceOf(NotFound);
    const messages = await Promise.all(
      [customer.id, 'ghost'].map((id) =>
        users.get(principalFor(organizer), id).catch((error: Error) => error.message),
      ),
    );
    expect(messages).toEqual([`User ${customer.id} not found`, 'User ghost not found']);
  });

  it('asks an anonymous caller to sign in', async () => {
    // Act
    const attempt = users.get(anonymous, customer.id);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('lists users for admins only', async () => {
    // Act
    const page = await users.list(principalFor(admin), { limit: 10 });
    const denied = (async () => users.list(principalFor(organizer), { limit: 10 }))();

    // Assess
    expect(page.items.map((user) => user.id).sort()).toEqual(
      [admin.id, customer.id, organizer.id].sort(),
    );
    await expect(denied).rejects.toBeInstanceOf(Forbidden);
  });
});

describe('Users.updateMe', () => {
  const located = storedUser({
    id: 'loc-1',
    name: 'Located',
    location: { latitude: 52.5, longitude: 13.4 },
  });

  beforeEach(() => {
    repository.seed(customer, located);
  });

  it('sets a location and stamps updatedAt', async () => {
    // Act
    const updated = await users.updateMe(
      principalFor(customer),
      updateMeSchema.parse({ location: { latitude: 48.1, longitude: 11.6 } }),
    );

    // Assess
    expect(updated).toEqual({
      ...customer,
      location: { latitude: 48.1, longitude: 11.6 },
      updatedAt: NOW,
    });
    expect(await repository.get(customer.id)).toEqual(updated);
  });

  it('clears the location on null and keeps the name', async () => {
    // Act
    const updated = await users.updateMe(
      principalFor(located),
      updateMeSchema.parse({ location: null }),
    );

    // Assess
    expect(updated).not.toHaveProperty('location');
    expect(updated.name).toBe('Located');
    expect(await repository.get(located.id)).not.toHaveProperty('location');
  });

  it('keeps the location when only the name changes, and trims the name', async () => {
    // Act
    const updated = await users.updateMe(
      principalFor(located),
      updateMeSchema.parse({ name: '  New Name  ' }),
    );

    // Assess
    expect(updated.name).toBe('New Name');
    expect(updated.location).toEqual({ latitude: 52.5, longitude: 13.4 });
  });

  it('cannot touch roles, email or id (the schema rejects them)', () => {
    for (const body of [{ roles: ['admin'] }, { email: 'x@example.com' }, { id: 'other' }, {}]) {
      // Act
      const parsed = updateMeSchema.safeParse(body);

      // Assess
      expect(parsed.success, JSON.stringify(body)).toBe(false);
    }
  });

  it('answers NotFound when the caller’s profile is gone', async () => {
    // Act
    const attempt = users.updateMe(
      principalFor(storedUser({ id: 'deleted' })),
      updateMeSchema.parse({ name: 'X' }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NotFound);
    expect(await repository.get('deleted')).toBeNull();
  });
});

describe('Accounts.logout', () => {
  it('asks for a token when the caller presented none', async () => {
    // Prepare
    const { token: _ignored, ...withoutToken } = principalFor(customer);

    // Act
    const attempts = [
      accounts.logout(anonymous, 'raw-token'),
      accounts.logout(withoutToken, 'raw-token'),
    ];

    // Assess
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(Unauthenticated);
    expect(repository.revoked.size).toBe(0);
    expect(identity.signedOut).toEqual([]);
  });

  it('revokes the presented token until its expiry, then ends the provider session', async () => {
    // Act
    await accounts.logout(
      principalFor(customer, { id: 'jti-42', expiresAt: 1_900_000_123 }),
      'raw-token',
    );

    // Assess: the denylist first, so the token is dead even if the provider call fails
    expect(journal).toEqual(['repo.revokeToken:jti-42:1900000123', 'idp.signOut:raw-token']);
    expect(repository.revoked.get('jti-42')).toBe(1_900_000_123);
  });
});
