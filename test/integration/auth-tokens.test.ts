import { randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../local/gateway.js';
import { eventBody } from '../support/events-fixtures.js';
import {
  type Actor,
  expectProblem,
  type HttpResponse,
  login,
  registerActor,
  registerAdmin,
  send,
  startTestGateway,
  uniqueEmail,
} from '../support/http-api.js';

/*
 * Attacks on the bearer token, through the real gateway and authorizer. Every forged
 * token below differs from a genuine one in exactly one respect; the first test shows
 * that the forging itself is sound (the same recipe with nothing changed is accepted).
 */

const PROTECTED = '/v1/me';

let gateway: RunningGateway;
let url: string;
let admin: Actor;
let customer: Actor;
/** The genuine token's claims and header, the base every forgery starts from. */
let genuineClaims: JWTPayload;
let keyId: string;
let signingKey: CryptoKey;

const me = (token: string) => send(url, 'GET', PROTECTED, { token });
const meWithHeader = (authorization: string) =>
  send(url, 'GET', PROTECTED, { headers: { authorization } });

function expectUnauthenticated(response: HttpResponse): void {
  expectProblem(response, 401, 'UNAUTHENTICATED');
}

/** Signs `claims` (the genuine ones, changed by `change`) as the local provider would. */
async function forge(
  change: (claims: JWTPayload) => JWTPayload = (claims) => claims,
  key: CryptoKey = signingKey,
): Promise<string> {
  return new SignJWT(change({ ...genuineClaims, jti: randomUUID() }))
    .setProtectedHeader({ alg: 'RS256', kid: keyId })
    .sign(key);
}

beforeAll(async () => {
  gateway = await startTestGateway();
  url = gateway.url;
  [admin, customer] = await Promise.all([registerAdmin(url), registerActor(url, 'customer')]);
  genuineClaims = decodeJwt(customer.token);
  const privateJwk = JSON.parse(process.env.LOCAL_IDP_PRIVATE_JWK ?? '') as JWK;
  keyId = privateJwk.kid ?? '';
  expect(decodeProtectedHeader(customer.token).kid).toBe(keyId);
  signingKey = (await importJWK(privateJwk, 'RS256')) as CryptoKey;
});
afterAll(() => gateway?.close());

describe('a token is accepted', () => {
  it('when it is the one login issued', async () => {
    const response = await me(customer.token);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ id: customer.id, email: customer.email });
  });

  it('when it is forged with the genuine key and nothing changed (control for the forgeries)', async () => {
    const response = await me(await forge());
    expect(response.status, response.text).toBe(200);
    expect(response.body.id).toBe(customer.id);
  });
});

describe('a token is rejected with 401 UNAUTHENTICATED', () => {
  it('when it has expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await forge((claims) => ({ ...claims, iat: now - 3600, exp: now - 60 }));
    expectUnauthenticated(await me(expired));
  });

  it('when it is unsigned (alg "none")', async () => {
    const unsigned = new UnsecuredJWT({ ...genuineClaims, jti: randomUUID() }).encode();
    expect(decodeProtectedHeader(unsigned).alg).toBe('none');
    expectUnauthenticated(await me(unsigned));
    // The same, with the genuine key id in its header.
    const [, payload] = unsigned.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: keyId })).toString('base64url');
    expectUnauthenticated(await me(`${header}.${payload}.`));
  });

  it('when it is signed by another key under the genuine key id', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expectUnauthenticated(await me(await forge(undefined, privateKey)));
  });

  it('when it is signed with HS256, the public key as the secret (algorithm confusion)', async () => {
    const privateJwk = JSON.parse(process.env.LOCAL_IDP_PRIVATE_JWK ?? '') as JWK;
    const secret = new TextEncoder().encode(
      JSON.stringify({ kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e }),
    );
    const token = await new SignJWT({ ...genuineClaims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: keyId })
      .sign(secret);
    expectUnauthenticated(await me(token));
  });

  it('when its signature was tampered with', async () => {
    const [header, payload, signature = ''] = customer.token.split('.');
    const at = 10;
    const flipped = `${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
    expectUnauthenticated(await me(`${header}.${payload}.${flipped}`));
  });

  it('when its claims were changed after signing (another user id)', async () => {
    const [header, , signature] = customer.token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...genuineClaims, sub: admin.id })).toString(
      'base64url',
    );
    expectUnauthenticated(await me(`${header}.${payload}.${signature}`));
  });

  it('when another issuer issued it', async () => {
    expectUnauthenticated(
      await me(await forge((claims) => ({ ...claims, iss: 'https://evil.example/local-idp' }))),
    );
  });

  it('when it was issued to another client', async () => {
    expectUnauthenticated(
      await me(await forge((claims) => ({ ...claims, client_id: 'another-client' }))),
    );
  });

  it('when it is an ID token, not an access token', async () => {
    expectUnauthenticated(await me(await forge((claims) => ({ ...claims, token_use: 'id' }))));
  });

  it('when it has no jti', async () => {
    const { jti: _jti, ...withoutJti } = genuineClaims;
    const token = await new SignJWT(withoutJti)
      .setProtectedHeader({ alg: 'RS256', kid: keyId })
      .sign(signingKey);
    expect(decodeJwt(token).jti).toBeUndefined();
    expectUnauthenticated(await me(token));
  });

  it('when it is a garbage string', async () => {
    expectUnauthenticated(await me('garbage'));
    expectUnauthenticated(await me('a.b.c'));
  });

  it('when the Authorization header is not a Bearer token', async () => {
    expectUnauthenticated(await meWithHeader('Basic xyz'));
    expectUnauthenticated(await meWithHeader(`Basic ${Buffer.from('a:b').toString('base64')}`));
    expectUnauthenticated(await meWithHeader('Bearer'));
    expectUnauthenticated(await meWithHeader(customer.token));
  });

  it('when it was logged out, while a token of another login still works', async () => {
    const user = await registerActor(url, 'logout');
    const second = await login(url, user.email, user.password);

    const logout = await send(url, 'POST', '/v1/auth/logout', { token: user.token });
    expect(logout.status, logout.text).toBe(204);
    expect(logout.text).toBe('');

    expectUnauthenticated(await me(user.token));
    expectUnauthenticated(await send(url, 'POST', '/v1/auth/logout', { token: user.token }));
    const stillIn = await me(second);
    expect(stillIn.status, stillIn.text).toBe(200);
    expect(stillIn.body.id).toBe(user.id);
  });

  it('blocks protected routes but not public ones: a stale token can still log in and browse', async () => {
    // Prepare: a token made stale by logout
    const user = await registerActor(url, 'stale');
    expect((await send(url, 'POST', '/v1/auth/logout', { token: user.token })).status).toBe(204);

    // Act
    const relogin = await send(url, 'POST', '/v1/auth/login', {
      token: user.token,
      body: { email: user.email, password: user.password },
    });
    const browse = await send(url, 'GET', '/v1/events?limit=1', { token: user.token });
    const profile = await me(user.token);

    // Assess
    expect(relogin.status, relogin.text).toBe(200);
    expect(typeof relogin.body.accessToken).toBe('string');
    expect(browse.status, browse.text).toBe(200);
    expectUnauthenticated(profile);
    expect((await me(relogin.body.accessToken)).status).toBe(200);
  });

  it('when an admin deleted its user', async () => {
    const user = await registerActor(url, 'deleted');
    expect((await me(user.token)).status).toBe(200);

    const deleted = await send(url, 'DELETE', `/v1/users/${user.id}`, { token: admin.token });
    expect(deleted.status, deleted.text).toBe(204);

    expectUnauthenticated(await me(user.token));
    // Nor can the user sign in again.
    expectUnauthenticated(
      await send(url, 'POST', '/v1/auth/login', {
        body: { email: user.email, password: user.password },
      }),
    );
    const gone = await send(url, 'GET', `/v1/users/${user.id}`, { token: admin.token });
    expectProblem(gone, 404, 'NOT_FOUND');
  });
});

describe('roles', () => {
  it("an admin's role change applies to the user's existing token at once", async () => {
    const user = await registerActor(url, 'promoted');
    const create = () => send(url, 'POST', '/v1/events', { token: user.token, body: eventBody() });
    const setRoles = (roles: string[]) =>
      send(url, 'PUT', `/v1/users/${user.id}/roles`, { token: admin.token, body: { roles } });

    expectProblem(await create(), 403, 'FORBIDDEN');

    const promoted = await setRoles(['organizer']);
    expect(promoted.status, promoted.text).toBe(200);
    expect(promoted.body.roles).toEqual(['customer', 'organizer']);
    const created = await create();
    expect(created.status, created.text).toBe(201);
    expect(created.body.organizerId).toBe(user.id);

    // And back: the same token loses the role just as fast.
    expect((await setRoles([])).status).toBe(200);
    expectProblem(await create(), 403, 'FORBIDDEN');
  });

  it('an admin can neither demote nor delete themselves', async () => {
    const self = await registerAdmin(url);
    const before = await me(self.token);
    expect(before.body.roles).toContain('admin');

    for (const roles of [[], ['customer'], ['organizer']]) {
      const demote = await send(url, 'PUT', `/v1/users/${self.id}/roles`, {
        token: self.token,
        body: { roles },
      });
      expectProblem(demote, 403, 'FORBIDDEN');
    }
    const remove = await send(url, 'DELETE', `/v1/users/${self.id}`, { token: self.token });
    expectProblem(remove, 403, 'FORBIDDEN');

    // Still there, still an admin.
    const after = await me(self.token);
    expect(after.status).toBe(200);
    expect(after.body.roles).toEqual(before.body.roles);
    expect((await send(url, 'GET', '/v1/users?limit=1', { token: self.token })).status).toBe(200);
  });
});

describe('registration and login', () => {
  it('refuses an email that is taken, whatever its case, with 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('taken');
    const register = (address: string) =>
      send(url, 'POST', '/v1/auth/register', {
        body: { email: address, password: 'a-long-password', name: 'Taken' },
      });
    expect((await register(email)).status).toBe(201);

    expectProblem(await register(email), 409, 'EMAIL_TAKEN');
    expectProblem(await register(email.toUpperCase()), 409, 'EMAIL_TAKEN');
    // The address is the same account whatever its case, at login too.
    const token = await login(url, email.toUpperCase(), 'a-long-password');
    expect((await me(token)).body.email).toBe(email);
  });

  it('answers a wrong password and an unknown email alike: 401 with the same detail', async () => {
    const attempt = (email: string, password: string) =>
      send(url, 'POST', '/v1/auth/login', { body: { email, password } });

    const wrongPassword = await attempt(customer.email, `${customer.password}-wrong`);
    const unknownEmail = await attempt(uniqueEmail('nobody'), customer.password);

    expectUnauthenticated(wrongPassword);
    expectUnauthenticated(unknownEmail);
    expect(wrongPassword.body.detail).toBe(unknownEmail.body.detail);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
  });

  it('never shows the password in a response', async () => {
    const email = uniqueEmail('secret');
    const password = `Sekrit-${randomUUID()}`;
    const responses: HttpResponse[] = [];
    const record = async (response: Promise<HttpResponse>) => {
      const settled = await response;
      responses.push(settled);
      return settled;
    };

    const registered = await record(
      send(url, 'POST', '/v1/auth/register', { body: { email, password, name: 'Secret' } }),
    );
    expect(registered.status).toBe(201);
    const id: string = registered.body.id;
    // A duplicate and a bad login, whose errors might echo what was sent.
    await record(
      send(url, 'POST', '/v1/auth/register', { body: { email, password, name: 'Again' } }),
    );
    await record(
      send(url, 'POST', '/v1/auth/login', { body: { email, password: `${password}x` } }),
    );
    await record(
      send(url, 'POST', '/v1/auth/register', {
        body: { email: uniqueEmail('short'), password: 'short', name: 'Short' },
      }),
    );
    const loggedIn = await record(
      send(url, 'POST', '/v1/auth/login', { body: { email, password } }),
    );
    const token: string = loggedIn.body.accessToken;
    await record(send(url, 'GET', '/v1/me', { token }));
    await record(send(url, 'PATCH', '/v1/me', { token, body: { name: 'Secret too' } }));
    await record(send(url, 'GET', `/v1/users/${id}`, { token: admin.token }));
    await record(
      send(url, 'PUT', `/v1/users/${id}/roles`, { token: admin.token, body: { roles: [] } }),
    );
    await record(send(url, 'GET', '/v1/users?limit=100', { token: admin.token }));

    expect(responses.map((response) => response.status)).toEqual([
      201, 409, 401, 400, 200, 200, 200, 200, 200, 200,
    ]);
    for (const response of responses) {
      expect(response.text).not.toContain(password);
      expect(response.text).not.toMatch(/"(password|hash|salt)"/);
    }
    expect(Object.keys(registered.body).sort()).toEqual([
      'email',
      'emailVerified',
      'id',
      'name',
      'roles',
    ]);
  });
});

describe('profile', () => {
  it('sets and clears the location with PATCH /v1/me', async () => {
    const user = await registerActor(url, 'located');
    const patch = (body: unknown) => send(url, 'PATCH', '/v1/me', { token: user.token, body });
    const location = { latitude: 48.1374, longitude: 11.5755 };

    const set = await patch({ location });
    expect(set.status, set.text).toBe(200);
    expect(set.body.location).toEqual(location);
    expect((await me(user.token)).body.location).toEqual(location);

    const cleared = await patch({ location: null });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body).not.toHaveProperty('location');
    const after = await me(user.token);
    expect(after.body).not.toHaveProperty('location');
    expect(after.body.name).toBe(set.body.name);
  });
});

describe('GET /v1/users', () => {
  it('pages with limit=1 through every user, those created here included', async () => {
    const created = await Promise.all([
      registerActor(url, 'paged'),
      registerActor(url, 'paged'),
      registerActor(url, 'paged'),
    ]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await send(url, 'GET', `/v1/users?limit=1${query}`, { token: admin.token });
      expect(page.status, page.text).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((user: { id: string }) => user.id));
      cursor = page.body.nextCursor;
      pages += 1;
      // Other test files register users too; this only guards against a cursor loop.
    } while (cursor !== null && pages < 10_000);

    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([...created.map((user) => user.id), admin.id]));
  });
});
