import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoUserRepository } from '../../shared/adapters/dynamo-user-repository.js';
import { JoseTokenVerifier } from '../../shared/adapters/jose-token-verifier.js';
import { Authenticator } from '../../shared/domain/authenticator.js';
import { InvalidToken } from '../../shared/domain/identity-ports.js';
import type { AuthorizerContext } from '../../shared/http/principal.js';
import { FakeTokenVerifier, InMemoryUserRepository } from '../support/identity-fakes.js';
import { expectProblem, invoke } from '../support/invoke.js';

const ddb = mockClient(DynamoDBDocumentClient);

let verifier: FakeTokenVerifier;

beforeEach(() => {
  ddb.reset();
  verifier = new FakeTokenVerifier();
  verifier.tokens.set('good-token', {
    userId: 'user-1',
    tokenId: 'jti-1',
    expiresAt: 1_900_000_000,
  });
});

/** A repository whose reads fail, as a throttled or unreachable table would. */
class FailingUserRepository extends InMemoryUserRepository {
  override async authState(): Promise<never> {
    throw new Error('Rate of requests exceeds the allowed throughput');
  }
}

describe('Authenticator when the user store fails', () => {
  it('reports the token as unavailable (not rejected), with a reason that leaks nothing, and tells the log', async () => {
    // Prepare
    const logged: unknown[] = [];
    const authenticator = new Authenticator(verifier, new FailingUserRepository(), (error) =>
      logged.push(error),
    );

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context).toEqual({ status: 'unavailable', reason: expect.stringContaining('retry') });
    expect(JSON.stringify(context)).not.toContain('throughput');
    expect(logged).toEqual([
      expect.objectContaining({ message: expect.stringContaining('throughput') }),
    ]);
  });

  it('reports unavailable when DynamoDB throttles the denylist and roles read', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Throughput exceeds the current capacity'), {
      name: 'ProvisionedThroughputExceededException',
    });
    ddb.on(BatchGetCommand).rejects(throttled);
    const repository = new DynamoUserRepository(
      DynamoDBDocumentClient.from(new DynamoDBClient({})),
      'unit-test-table',
    );
    const authenticator = new Authenticator(verifier, repository);

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context.status).toBe('unavailable');
  });

  it('still rejects a bad token without reading the store, so only a real read failure is a 503', async () => {
    // Prepare
    verifier.failure = new InvalidToken('The token has expired');
    const authenticator = new Authenticator(verifier, new FailingUserRepository());

    // Act
    const context = await authenticator.authenticate('Bearer good-token');

    // Assess
    expect(context.status).toBe('rejected');
  });
});

describe('a request whose authorizer could not check the token', () => {
  const unavailable: AuthorizerContext = {
    status: 'unavailable',
    reason: 'The token could not be checked: the user store did not answer; retry later',
  };

  it.each([
    ['a signed-in route', 'GET', '/v1/me'],
    ['a public route', 'GET', '/v1/events'],
    ['an admin route', 'GET', '/v1/users'],
  ])('ends as 503 NOT_READY on %s, never 401 or 500', async (_, method, path) => {
    // Act
    const response = await invoke(method, path, { as: unavailable });

    // Assess
    expectProblem(response, 503, 'NOT_READY');
    expect(response.body.detail).toBe(unavailable.reason);
    expect(ddb.calls()).toEqual([]);
  });
});

describe('JoseTokenVerifier when the key set cannot be fetched', () => {
  /** A JWKS endpoint answering `status` with `body`, on a free loopback port. */
  async function keySetServer(status: number, body: string) {
    const server = createServer((_, response) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/jwks.json`, close: () => server.close() };
  }

  /** The real verifier on the key set at `jwksUri`, with a user store that never fails. */
  const authenticatorOf = (jwksUri: string, onUnavailable?: (error: unknown) => void) =>
    new Authenticator(
      new JoseTokenVerifier({ issuer: 'https://issuer.example', jwksUri, clientId: 'c' }),
      new InMemoryUserRepository(),
      onUnavailable,
    );

  const anyRs256Token = async () => {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT({ token_use: 'access', client_id: 'c' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('user-1')
      .setJti('jti-1')
      .setIssuer('https://issuer.example')
      .setExpirationTime('1h')
      .sign(privateKey);
  };

  it.each([
    ['answers 500', 500, '{"message":"internal"}'],
    ['answers something that is not a key set', 200, '{"not":"keys"}'],
  ])(
    'reports the token unavailable (503, not 401) when the JWKS endpoint %s',
    async (_, status, body) => {
      // Prepare
      const keySet = await keySetServer(status, body);
      const logged: unknown[] = [];
      const authenticator = authenticatorOf(keySet.url, (error) => logged.push(error));

      try {
        // Act
        const context = await authenticator.authenticate(`Bearer ${await anyRs256Token()}`);

        // Assess
        expect(context).toEqual({
          status: 'unavailable',
          reason: expect.stringContaining('retry'),
        });
        expect(logged).toHaveLength(1);
      } finally {
        keySet.close();
      }
    },
  );

  it('CONTROL: a token the fetched key set does not sign is rejected (401), not unavailable', async () => {
    // Prepare
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const keySet = await keySetServer(200, JSON.stringify({ keys: [jwk] }));
    const authenticator = authenticatorOf(keySet.url);

    try {
      // Act
      const context = await authenticator.authenticate(`Bearer ${await anyRs256Token()}`);

      // Assess
      expect(context).toMatchObject({ status: 'rejected' });
    } finally {
      keySet.close();
    }
  });
});
