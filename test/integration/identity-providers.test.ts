/**
 * The local identity provider, the JWT verifier and the DynamoDB user repository,
 * against DynamoDB Local and the key set the global setup serves over HTTP: the same
 * pieces, built from the same environment, as the local stack uses.
 */
import { generateKeyPairSync, randomUUID, scryptSync } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type CryptoKey, importJWK, type JWK, SignJWT } from 'jose';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports.js';
import { DynamoUserRepository } from '../../shared/adapters/dynamo-user-repository.js';
import { JoseTokenVerifier } from '../../shared/adapters/jose-token-verifier.js';
import {
  LocalIdentityProvider,
  type LocalSigner,
} from '../../shared/adapters/local-identity-provider.js';
import { documentClient, tableName } from '../../shared/composition/dynamodb.js';
import { encodeCursor } from '../../shared/db/cursor.js';
import { tokenKeys, userKeys } from '../../shared/db/table.js';
import { systemClock } from '../../shared/domain/clock.js';
import { EmailTaken, Unauthenticated, ValidationFailed } from '../../shared/domain/errors.js';
import type { UserChanges } from '../../shared/domain/identity-ports.js';
import { type IdentityProvider, InvalidToken } from '../../shared/domain/identity-ports.js';
import type { Principal } from '../../shared/domain/principal.js';
import type { User } from '../../shared/domain/user-model.js';
import { Accounts, Users } from '../../shared/domain/users.js';
import { ENV, requireEnv } from '../../shared/env.js';
import { uniqueToken } from '../support/events-fixtures.js';
import { FakeVerification } from '../support/identity-fakes.js';
import { unguardedPutsClient } from '../support/unguarded-client.js';

const TOKEN_SECONDS = 3600;
const issuer = requireEnv(ENV.tokenIssuer);
const clientId = requireEnv(ENV.userPoolClientId);
const jwksUri = requireEnv(ENV.tokenJwksUri);
const privateJwk = JSON.parse(requireEnv(ENV.localIdpPrivateJwk)) as JWK;

let signer: LocalSigner;
/** Used through the port, as Accounts does. */
let idp: IdentityProvider;
const verifier = new JoseTokenVerifier({ issuer, jwksUri, clientId });
const repository = new DynamoUserRepository(documentClient, tableName);

beforeAll(async () => {
  // As shared/composition/accounts.ts builds it from the same variables.
  if (!privateJwk.kid) throw new Error('the local signing key has no kid');
  signer = {
    privateKey: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
    keyId: privateJwk.kid,
    issuer,
    clientId,
    tokenSeconds: TOKEN_SECONDS,
  };
  idp = new LocalIdentityProvider(documentClient, tableName, signer, ulid);
});

const uniqueEmail = (prefix = 'user') => `${uniqueToken(prefix)}@example.com`;

async function readCredential(email: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: userKeys.localCredential(email),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** A token as the local provider signs them; override claims to forge variants. */
function signToken(
  claims: Record<string, unknown>,
  options: { key?: CryptoKey | Uint8Array; alg?: string; expiresIn?: string | number } = {},
): Promise<string> {
  return new SignJWT({
    token_use: 'access',
    client_id: clientId,
    ...claims,
  })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: signer.keyId })
    .setSubject('user-forged')
    .setIssuer(issuer)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.key ?? signer.privateKey);
}

describe('LocalIdentityProvider with JoseTokenVerifier', () => {
  it('issues a token the verifier accepts, naming the user, a token id and the expiry', async () => {
    // Prepare
    const email = uniqueEmail();
    const { userId } = await idp.createUser({ email, password: 'password-1', name: 'Ann' });
    const before = Math.floor(Date.now() / 1000);

    // Act
    const { accessToken, expiresIn } = await idp.authenticate(email, 'password-1');
    const verified = await verifier.verify(accessToken);

    // Assess
    expect(expiresIn).toBe(TOKEN_SECONDS);
    expect(verified.userId).toBe(userId);
    expect(verified.tokenId).toEqual(expect.any(String));
    expect(verified.tokenId.length).toBeGreaterThan(0);
    expect(verified.expiresAt).toBeGreaterThanOrEqual(before + TOKEN_SECONDS);
    expect(verified.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + TOKEN_SECONDS);
  });

  it('gives every sign-in its own token id', async () => {
    // Prepare
    const email = uniqueEmail();
    await idp.createUser({ email, password: 'password-1', name: 'Ann' });

    // Act
    const first = await verifier.verify((await idp.authenticate(email, 'password-1')).accessToken);
    const second = await verifier.verify((await idp.authenticate(email, 'password-1')).accessToken);

    // Assess
    expect(first.userId).toBe(second.userId);
    expect(first.tokenId).not.toBe(second.tokenId);
  });

  it('signs in case-insensitively by email', async () => {
    // Prepare
    const email = uniqueEmail('mixed');
    const { userId } = await idp.createUser({ email, password: 'password-1', name: 'Ann' });

    // Act
    const { accessToken } = await idp.authenticate(email.toUpperCase(), 'password-1');

    // Assess
    expect((await verifier.verify(accessToken)).userId).toBe(userId);
  });

  it('stores the password only as a salted scrypt hash', async () => {
    // Prepare
    const password = 'same password for both';
    const first = uniqueEmail('hash');
    const second = uniqueEmail('hash');

    // Act
    await idp.createUser({ email: first, password, name: 'First' });
    await idp.createUser({ email: second, password, name: 'Second' });

    // Assess
    const items = [await readCredential(first), await readCredential(second)];
    for (const item of items) {
      expect(item).toBeDefined();
      expect(JSON.stringify(item)).not.toContain(password);
      expect(Object.keys(item ?? {}).sort()).toEqual(['hash', 'pk', 'salt', 'sk', 'userId']);
      const salt = Buffer.from(String(item?.salt), 'base64');
      const hash = Buffer.from(String(item?.hash), 'base64');
      expect(salt.length).toBeGreaterThanOrEqual(16);
      // It is scrypt of this password with this salt, nothing weaker.
      expect(scryptSync(password, salt, hash.length).equals(hash)).toBe(true);
    }
    expect(items[0]?.salt).not.toBe(items[1]?.salt);
    expect(items[0]?.hash).not.toBe(items[1]?.hash);
  });

  it('answers a wrong password and an unknown email with the same Unauthenticated', async () => {
    // Prepare
    const email = uniqueEmail();
    await idp.createUser({ email, password: 'password-1', name: 'Ann' });

    // Act
    const outcomes = await Promise.all([
      idp.authenticate(email, 'password-2').catch((error: unknown) => error),
      idp.authenticate(uniqueEmail('nobody'), 'password-1').catch((error: unknown) => error),
    ]);

    // Assess
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(Unauthenticated);
    expect((outcomes[0] as Error).message).toBe((outcomes[1] as Error).message);
  });

  it('answers EmailTaken for a second account with the same email in other case', async () => {
    // Prepare
    const email = uniqueEmail('dup');
    const { userId } = await idp.createUser({ email, password: 'password-1', name: 'First' });

    // Act
    const attempt = idp.createUser({ email: email.toUpperCase(), password: 'other-pw', name: 'X' });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(EmailTaken);
    expect((await readCredential(email))?.userId).toBe(userId);
    await expect(idp.authenticate(email, 'other-pw')).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('lets exactly one of 10 concurrent sign-ups with the same email through', async () => {
    // Prepare
    const email = uniqueEmail('race');

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        idp.createUser({ email, password: `password-${index}`, name: `Racer ${index}` }),
      ),
    );

    // Assess
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(winners).toHaveLength(1);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(EmailTaken);
    const winnerIndex = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
    const stored = await readCredential(email);
    expect(stored?.userId).toBe(winners[0]?.value.userId);
    const { accessToken } = await idp.authenticate(email, `password-${winnerIndex}`);
    expect((await verifier.verify(accessToken)).userId).toBe(winners[0]?.value.userId);
  });

  it('CONTROL: the same sign-ups without the write condition all "succeed" and overwrite each other', async () => {
    // Prepare: the provider, unchanged, over a client that drops the ConditionExpression
    // (and its placeholders, which DynamoDB refuses without it)
    const unguardedIdp: IdentityProvider = new LocalIdentityProvider(
      unguardedPutsClient,
      tableName,
      signer,
      ulid,
    );
    const email = uniqueEmail('control');

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        unguardedIdp.createUser({ email, password: `password-${index}`, name: `Racer ${index}` }),
      ),
    );

    // Assess: more than one caller believes it owns the email; only one credential is left
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(winners.length).toBeGreaterThan(1);
    const ids = new Set(winners.map((winner) => winner.value.userId));
    expect(ids.size).toBe(winners.length);
    const stored = await readCredential(email);
    expect(ids.has(String(stored?.userId))).toBe(true);
  });

  it('deleteUser removes the credential, so the email can sign in no more', async () => {
    // Prepare
    const email = uniqueEmail();
    const { userId } = await idp.createUser({ email, password: 'password-1', name: 'Ann' });

    // Act
    await idp.deleteUser({ id: userId, email });

    // Assess
    expect(await readCredential(email)).toBeUndefined();
    await expect(idp.authenticate(email, 'password-1')).rejects.toBeInstanceOf(Unauthenticated);
  });
});

describe('JoseTokenVerifier against the served key set', () => {
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  it('accepts a token forged with the provider’s own key and claims (the control for the cases below)', async () => {
    // Prepare
    const token = await signToken({});

    // Act
    const verified = await verifier.verify(token);

    // Assess
    expect(verified.userId).toBe('user-forged');
  });

  it.each([
    ['issued to another client', () => signToken({ client_id: 'someone-else' })],
    ['an ID token, not an access token', () => signToken({ token_use: 'id' })],
    ['expired', () => signToken({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    [
      'signed by another key under the same kid',
      () => signToken({}, { key: otherKey as unknown as CryptoKey }),
    ],
    [
      'HS256 with the public modulus as secret',
      () => signToken({}, { alg: 'HS256', key: new TextEncoder().encode(String(privateJwk.n)) }),
    ],
    [
      'from another issuer',
      () =>
        new SignJWT({ token_use: 'access', client_id: clientId })
          .setProtectedHeader({ alg: 'RS256', kid: signer.keyId })
          .setSubject('user-forged')
          .setIssuer('https://evil.example')
          .setJti(randomUUID())
          .setExpirationTime('5m')
          .sign(signer.privateKey),
    ],
    [
      'without a jti',
      () =>
        new SignJWT({ token_use: 'access', client_id: clientId })
          .setProtectedHeader({ alg: 'RS256', kid: signer.keyId })
          .setSubject('user-forged')
          .setIssuer(issuer)
          .setExpirationTime('5m')
          .sign(signer.privateKey),
    ],
  ])('rejects a token %s with InvalidToken', async (_case, forge) => {
    // Prepare
    const token = await forge();

    // Act
    const attempt = verifier.verify(token);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidToken);
  });

  it('rejects "alg: none" and garbage with InvalidToken', async () => {
    // Prepare
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      sub: 'user-forged',
      jti: 'j',
      exp: Math.floor(Date.now() / 1000) + 300,
      iss: issuer,
      token_use: 'access',
      client_id: clientId,
    })}.`;

    for (const token of [unsigned, 'not-a-jwt', 'a.b.c']) {
      // Act
      const attempt = verifier.verify(token);

      // Assess
      await expect(attempt, token).rejects.toBeInstanceOf(InvalidToken);
    }
  });

  it('treats an unreachable key set as an outage, not as an invalid token', async () => {
    // Prepare: nothing listens on this port
    const offline = new JoseTokenVerifier({
      issuer,
      clientId,
      jwksUri: `http://127.0.0.1:${await freePort()}/jwks.json`,
    });
    const token = await signToken({});

    // Act
    const outcome = await offline.verify(token).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(InvalidToken);
  });
});

describe('DynamoUserRepository', () => {
  function newUser(overrides: Partial<User> = {}): User {
    const id = overrides.id ?? ulid();
    return {
      id,
      email: uniqueEmail('repo'),
      name: 'Repo User',
      roles: ['customer'],
      emailVerified: false,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      ...overrides,
    };
  }

  it('claims the email case-insensitively: the same address in other case is EmailTaken, with no second profile', async () => {
    // Prepare
    const first = newUser();
    await repository.insert(first);
    const second = newUser({ email: first.email.toUpperCase() });

    // Act
    const attempt = repository.insert(second);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(EmailTaken);
    expect(await repository.get(second.id)).toBeNull();
    expect(await repository.get(first.id)).toEqual(first);
  });

  it('finds a user by email, in any case', async () => {
    // Prepare
    const user = newUser({ location: { latitude: 52.5, longitude: 13.4 } });
    await repository.insert(user);

    // Act
    const found = await repository.getByEmail(user.email.toUpperCase());
    const missing = await repository.getByEmail(uniqueEmail('nobody'));

    // Assess
    expect(found).toEqual(user);
    expect(missing).toBeNull();
  });

  it('keeps one profile per email under 10 concurrent inserts', async () => {
    // Prepare
    const email = uniqueEmail('insert-race');
    const racers = Array.from({ length: 10 }, () => newUser({ email }));

    // Act
    const outcomes = await Promise.allSettled(racers.map((user) => repository.insert(user)));

    // Assess
    const winners = racers.filter((_, index) => outcomes[index]?.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EmailTaken);
    }
    const profiles = await Promise.all(racers.map((user) => repository.get(user.id)));
    expect(profiles.filter((profile) => profile !== null).map((profile) => profile.id)).toEqual([
      winners[0]?.id,
    ]);
    expect((await repository.getByEmail(email))?.id).toBe(winners[0]?.id);
  });

  it('CONTROL: the same inserts without the write conditions leave several profiles with one email', async () => {
    // Prepare: the repository, unchanged, over a client that drops every ConditionExpression
    // (and its placeholders, which DynamoDB refuses without it)
    const unguardedRepository = new DynamoUserRepository(unguardedPutsClient, tableName);
    const email = uniqueEmail('insert-control');
    const racers = Array.from({ length: 10 }, () => newUser({ email }));

    // Act
    const outcomes = await Promise.allSettled(
      racers.map((user) => unguardedRepository.insert(user)),
    );

    // Assess
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled').length).toBeGreaterThan(1);
    const profiles = await Promise.all(racers.map((user) => repository.get(user.id)));
    expect(profiles.filter((profile) => profile !== null).length).toBeGreaterThan(1);
    // Leave no duplicate-email profiles behind for other tests that list users.
    for (const user of racers) await repository.delete(user);
  });

  it('pages with limit 1 through every user exactly once', async () => {
    // Prepare
    const mine = [newUser(), newUser(), newUser()];
    for (const user of mine) await repository.insert(user);

    // Act
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await repository.list({ limit: 1, ...(cursor !== undefined && { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((user) => user.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
      expect(pages, 'paging does not end').toBeLessThan(10_000);
    } while (cursor !== undefined);

    // Assess
    expect(new Set(seen).size).toBe(seen.length);
    for (const user of mine) expect(seen.filter((id) => id === user.id)).toEqual([user.id]);
  });

  it('rejects forged cursors with ValidationFailed', async () => {
    // Prepare
    await repository.insert(newUser());
    await repository.insert(newUser());
    const { nextCursor } = await repository.list({ limit: 1 });
    if (nextCursor === null) throw new Error('expected a second page');
    const genuine = JSON.parse(Buffer.from(nextCursor, 'base64url').toString('utf8')) as Record<
      string,
      string
    >;
    const forged = [
      'definitely not a cursor',
      encodeCursor({ ...genuine, extra: 'x' }),
      encodeCursor({ ...genuine, pk: 'USER#someone-else' }),
      encodeCursor({ ...genuine, gsi1pk: 'STATUS#PUBLISHED' }),
      encodeCursor({ pk: 'EVENT#e', sk: 'META', gsi1pk: 'STATUS#DRAFT', gsi1sk: '2030#e' }),
      Buffer.from('[1,2]').toString('base64url'),
    ];

    for (const cursor of forged) {
      // Act
      const attempt = repository.list({ limit: 1, cursor });

      // Assess
      await expect(attempt, cursor).rejects.toBeInstanceOf(ValidationFailed);
    }
  });

  it('authState: present and not revoked, then revoked after revokeToken, then no user after delete', async () => {
    // Prepare
    const user = newUser();
    await repository.insert(user);
    const tokenId = uniqueToken('jti-');
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;

    // Act + Assess, step by step
    expect(await repository.authState(user.id, tokenId)).toEqual({ user, revoked: false });

    await repository.revokeToken(tokenId, expiresAt);
    expect(await repository.authState(user.id, tokenId)).toEqual({ user, revoked: true });
    expect(await repository.authState(user.id, uniqueToken('jti-'))).toEqual({
      user,
      revoked: false,
    });

    await repository.delete(user);
    expect(await repository.authState(user.id, uniqueToken('jti-'))).toEqual({
      user: null,
      revoked: false,
    });
  });

  it('revokeToken stores the expiry as the TTL attribute', async () => {
    // Prepare
    const tokenId = uniqueToken('jti-');
    const expiresAt = Math.floor(Date.now() / 1000) + 1234;

    // Act
    await repository.revokeToken(tokenId, expiresAt);

    // Assess
    const { Item } = await documentClient.send(
      new GetCommand({
        TableName: tableName,
        Key: tokenKeys.revoked(tokenId),
        ConsistentRead: true,
      }),
    );
    expect(Item).toEqual({ ...tokenKeys.revoked(tokenId), ttl: expiresAt });
  });

  it('delete frees the email, and update no longer recreates the deleted user', async () => {
    // Prepare
    const user = newUser();
    await repository.insert(user);

    // Act
    await repository.delete(user);
    const updated = await repository.update(user.id, {
      name: 'Ghost',
      updatedAt: new Date().toISOString(),
    });

    // Assess
    expect(updated).toBeNull();
    expect(await repository.get(user.id)).toBeNull();
    expect(await repository.getByEmail(user.email)).toBeNull();
    await expect(repository.insert(newUser({ email: user.email }))).resolves.toBeUndefined();
  });

  // This was a lost update once: Users.updateMe read the whole profile and wrote it back
  // with a full Put, so an admin's role change that landed between the read and the write
  // was undone, and a demoted admin who happened to PATCH /v1/me at that moment kept
  // admin. The repository's update now writes only the fields that change.
  it('a role change made while PATCH /v1/me is in flight survives it', async () => {
    // Prepare
    const admin = newUser({ roles: ['customer', 'admin'] });
    const demoted = newUser({ roles: ['customer', 'admin'] });
    await repository.insert(admin);
    await repository.insert(demoted);
    const adminPrincipal: Principal = { userId: admin.id, email: admin.email, roles: admin.roles };
    const accounts = new Accounts(idp, repository, systemClock, new FakeVerification(), () => {});
    /** Lands the admin's demotion just before updateMe's write reaches the table. */
    let demotionRan = false;
    class InterleavingRepository extends DynamoUserRepository {
      override async update(userId: string, changes: UserChanges) {
        await accounts.setRoles(adminPrincipal, demoted.id, []);
        demotionRan = true;
        return super.update(userId, changes);
      }
    }
    const users = new Users(new InterleavingRepository(documentClient, tableName), systemClock);

    // Act
    await users.updateMe(
      { userId: demoted.id, email: demoted.email, roles: demoted.roles },
      { name: 'Renamed' },
    );

    // Assess
    expect(demotionRan).toBe(true);
    const stored = await repository.get(demoted.id);
    expect(stored?.name).toBe('Renamed');
    expect(stored?.roles).toEqual(['customer']);
  });
});

describe('the local stack’s sign-in path end to end', () => {
  it('register → login → authorize → logout → the token is rejected; delete → rejected', async () => {
    // Prepare: the composition modules, as the handlers and the authorizer use them
    const { accounts } = await import('../../shared/composition/accounts.js');
    const { authenticator } = await import('../../shared/composition/authenticator.js');
    const email = uniqueEmail('e2e');
    const user = await accounts.register({ email, password: 'password-1', name: 'E2E' });

    // Act
    const { accessToken, tokenType } = await accounts.login({ email, password: 'password-1' });
    const signedIn = await authenticator.authenticate(`${tokenType} ${accessToken}`);

    // Assess
    expect(signedIn).toMatchObject({
      status: 'authenticated',
      userId: user.id,
      email,
      roles: 'customer',
    });
    if (signedIn.status !== 'authenticated') throw new Error('not authenticated');

    await accounts.logout(
      {
        userId: user.id,
        email,
        roles: ['customer'],
        token: { id: signedIn.tokenId, expiresAt: signedIn.tokenExpiresAt },
      },
      accessToken,
    );
    expect(await authenticator.authenticate(`Bearer ${accessToken}`)).toEqual({
      status: 'rejected',
      reason: expect.stringMatching(/revoked/i),
    });

    // A fresh token works until the user is deleted.
    const fresh = await accounts.login({ email, password: 'password-1' });
    expect((await authenticator.authenticate(`Bearer ${fresh.accessToken}`)).status).toBe(
      'authenticated',
    );
    const admin = await accounts.bootstrapAdmin({
      email: uniqueEmail('admin'),
      password: 'admin-password',
      name: 'Admin',
    });
    await accounts.delete({ userId: admin.id, email: admin.email, roles: admin.roles }, user.id);
    expect((await authenticator.authenticate(`Bearer ${fresh.accessToken}`)).status).toBe(
      'rejected',
    );
    await expect(accounts.login({ email, password: 'password-1' })).rejects.toBeInstanceOf(
      Unauthenticated,
    );
  });
});
