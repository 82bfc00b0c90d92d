/**
 * The bench's actors. Import only after the stack has set the environment: the
 * composition modules read it at load.
 */
import { randomUUID } from 'node:crypto';
import { importJWK, type JWK, SignJWT } from 'jose';
import { ulid } from 'ulid';
import { LOCAL_CLIENT_ID } from '../local/idp.js';
import { accounts } from '../shared/composition/accounts.js';
import { userRepository } from '../shared/composition/users.js';
import { normaliseRoles } from '../shared/domain/user-model.js';
import { ENV, requireEnv } from '../shared/env.js';
import { expectStatus, type HttpClient } from './http.js';
import { runPool } from './pool.js';

export interface Actor {
  id: string;
  email: string;
  token: string;
}

const PASSWORD = 'bench-password-123';

async function login(http: HttpClient, email: string): Promise<string> {
  const reply = await http.send('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
  expectStatus(reply, 200, `login ${email}`);
  return (reply.body as { accessToken: string }).accessToken;
}

/** The organizer: the first admin, made as a deployment makes it, logged in over HTTP. */
export async function createOrganizer(http: HttpClient): Promise<Actor> {
  const email = 'bench-organizer@example.com';
  const user = await accounts.bootstrapAdmin({
    email,
    password: PASSWORD,
    name: 'Bench organizer',
  });
  return { id: user.id, email, token: await login(http, email) };
}

/**
 * `login`: POST /v1/auth/register then POST /v1/auth/login for each customer, the way
 * a client does (two scrypt hashes each, ~45 ms of CPU apiece on this box).
 * `mint`: the profile through the app's user repository and an access token signed with
 * the local identity provider's key and the claims it issues; the authorizer checks it
 * like any other. Bench-only, to iterate without the scrypt cost.
 */
export async function createCustomers(
  http: HttpClient,
  options: {
    count: number;
    mode: 'login' | 'mint';
    concurrency: number;
    onProgress: (done: number) => void;
    shouldStop: () => boolean;
  },
): Promise<Actor[]> {
  const actors: Actor[] = new Array(options.count);
  let done = 0;
  const mint = options.mode === 'mint' ? await minter() : undefined;
  await runPool(
    options.count,
    options.concurrency,
    async (index) => {
      const email = `buyer-${index}-${randomUUID().slice(0, 8)}@example.com`;
      if (mint) {
        const now = new Date().toISOString();
        const id = ulid();
        await userRepository.insert({
          id,
          email,
          name: `Buyer ${index}`,
          emailVerified: false,
          roles: normaliseRoles([]),
          createdAt: now,
          updatedAt: now,
        });
        actors[index] = { id, email, token: await mint(id) };
      } else {
        const registered = await http.send('POST', '/v1/auth/register', {
          body: { email, password: PASSWORD, name: `Buyer ${index}` },
        });
        expectStatus(registered, 201, `register ${email}`);
        actors[index] = {
          id: (registered.body as { id: string }).id,
          email,
          token: await login(http, email),
        };
      }
      options.onProgress(++done);
    },
    options.shouldStop,
  );
  return actors.filter(Boolean);
}

/** Signs tokens with the claims LocalIdentityProvider.authenticate issues. */
async function minter(): Promise<(userId: string) => Promise<string>> {
  const jwk = JSON.parse(requireEnv(ENV.localIdpPrivateJwk)) as JWK;
  const key = await importJWK(jwk, 'RS256');
  const issuer = requireEnv(ENV.tokenIssuer);
  return (userId) =>
    new SignJWT({
      token_use: 'access',
      client_id: LOCAL_CLIENT_ID,
      scope: 'aws.cognito.signin.user.admin',
      username: userId,
    })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid as string })
      .setSubject(userId)
      .setIssuer(issuer)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('3600s')
      .sign(key);
}
