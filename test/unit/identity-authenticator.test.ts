import { beforeEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../shared/domain/authenticator.js';
import { InvalidToken } from '../../shared/domain/identity-ports.js';
import {
  FakeTokenVerifier,
  InMemoryUserRepository,
  storedUser,
} from '../support/identity-fakes.js';

let verifier: FakeTokenVerifier;
let users: InMemoryUserRepository;
let authenticator: Authenticator;

beforeEach(() => {
  verifier = new FakeTokenVerifier();
  users = new InMemoryUserRepository();
  authenticator = new Authenticator(verifier, users);
});

const EXPIRES_AT = 1_900_000_000;

/** A user with a valid token `good-token` whose jti is `jti-1`. */
function withSignedInUser(overrides: Parameters<typeof storedUser>[0] = {}) {
  const user = storedUser({ id: 'user-1', ...overrides });
  users.seed(user);
  verifier.tokens.set('good-token', { userId: user.id, tokenId: 'jti-1', expiresAt: EXPIRES_AT });
  return user;
}

describe('Authenticator.authenticate', () => {
  it('treats a missing or blank Authorization header as anonymous, without verifying anything', async () => {
    for (const header of [undefined, '', '   ']) {
      // Act
      const context = await authenticator.authenticate(header);

      // Assess
      expect(context).toEqual({ status: 'anonymous' });
    }
    expect(verifier.verified).toEqual([]);
  });

  it('rejects a header that is not "Bearer <token>", without verifying anything', async () => {
    for (const header of [
      'Basic dXNlcjpwYXNz',
      'Basic x',
      'Bearer',
      'Bearer   ',
      'Bearer a b',
      'tok',
    ]) {
      // Act
      const context = await authenticator.authenticate(header);

      // Assess
      expect(context, header).toEqual({
        status: 'rejected',
        reason: expect.stringContaining('Bearer'),
      });
    }
    expect(verifier.verified).toEqual([]);
  });

  it('accepts the scheme case-insensitively and passes only the token to the verifier', async () => {
    // Prepare
    withSignedInUser();

    // Act
    const context = await authenticator.authenticate('bearer   good-token ');

    // Assess
    expect(context.status).toBe('authenticated');
    expect(verifier.verified).toEqual(['good-token']);
  });

  it('rejects an InvalidToken with the verifier’s own message as the reason', async () => {
    // Prepare
    verifier.failure = new InvalidToken('The token has expired');

    // Act
    const context = await authenticator.authenticate('Bearer some-token');

    // Assess
    expect(context).toEqual({ status: 'rejected', reason: 'The token has expired' });
  });

  it('reports any other verifier failure as unavailable (503 NOT_READY), never a 401', async () => {
    // Prepare: e.g. the key set could not be fetched
    verifier.failure = new Error('JWKS endpoint unreachable');

    // Act
    const context = await authenticator.authenticate('Bearer some-token');

    // Assess
    expect(context).toEqual({ status: 'unavailable', reason: expect.stringContaining('retry') });
    expect(JSON.stringify(context)).not.toContain('unreachable');
  });

  it('rejects a token that was revoked by logout', async () => {
    // Prepare
    withSignedInUser();
    await users.revokeToken('jti-1', EXPIRES_AT);

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context).toEqual({ status: 'rejected', reason: expect.stringMatching(/revoked/i) });
  });

  it('rejects a valid token whose user no longer has a profile (deleted user)', async () => {
    // Prepare
    const user = withSignedInUser();
    await users.delete(user);

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context).toEqual({ status: 'rejected', reason: expect.any(String) });
  });

  it('revocation wins even when the profile is gone as well', async () => {
    // Prepare
    const user = withSignedInUser();
    await users.revokeToken('jti-1', EXPIRES_AT);
    await users.delete(user);

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context.status).toBe('rejected');
  });

  it('carries the profile’s roles (comma-joined), not anything from the token, plus tokenId and expiry', async () => {
    // Prepare: the profile was promoted after the token was issued
    const user = withSignedInUser({
      email: 'ann@example.com',
      roles: ['customer', 'organizer', 'admin'],
    });

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context).toEqual({
      status: 'authenticated',
      userId: user.id,
      email: 'ann@example.com',
      name: user.name,
      roles: 'customer,organizer,admin',
      tokenId: 'jti-1',
      tokenExpiresAt: EXPIRES_AT,
    });
  });

  it('reflects a demotion at once for a token issued before it', async () => {
    // Prepare
    const user = withSignedInUser({ roles: ['customer', 'admin'] });
    await users.update(user.id, { roles: ['customer'], updatedAt: new Date().toISOString() });

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context).toMatchObject({ status: 'authenticated', roles: 'customer' });
  });
});
