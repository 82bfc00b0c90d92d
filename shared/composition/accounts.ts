import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { importJWK, type JWK } from 'jose';
import { ulid } from 'ulid';
import { CognitoIdentityProvider } from '../adapters/cognito-identity-provider.js';
import { LocalIdentityProvider, type LocalSigner } from '../adapters/local-identity-provider.js';
import { systemClock } from '../domain/clock.js';
import type { IdentityProvider } from '../domain/identity-ports.js';
import { Accounts } from '../domain/users.js';
import { ENV, requireEnv } from '../env.js';
import { logger } from '../observability.js';
import { documentClient, tableName } from './dynamodb.js';
import { userRepository } from './users.js';
import { emailVerificationWith } from './verification.js';

const LOCAL_TOKEN_SECONDS = 3600;

async function identityProvider(): Promise<IdentityProvider> {
  const kind = requireEnv(ENV.identityProvider);
  const clientId = requireEnv(ENV.userPoolClientId);
  if (kind === 'cognito') {
    return new CognitoIdentityProvider(new CognitoIdentityProviderClient({}), {
      userPoolId: requireEnv(ENV.userPoolId),
      clientId,
    });
  }
  if (kind === 'local') {
    const jwk = JSON.parse(requireEnv(ENV.localIdpPrivateJwk)) as JWK;
    if (!jwk.kid) throw new Error(`${ENV.localIdpPrivateJwk} needs a kid`);
    return new LocalIdentityProvider(
      documentClient,
      tableName,
      {
        privateKey: (await importJWK(jwk, 'RS256')) as LocalSigner['privateKey'],
        keyId: jwk.kid,
        issuer: requireEnv(ENV.tokenIssuer),
        clientId,
        tokenSeconds: LOCAL_TOKEN_SECONDS,
      },
      ulid,
    );
  }
  throw new Error(`${ENV.identityProvider} must be "cognito" or "local", got "${kind}"`);
}

const identity = await identityProvider();

/** Built once per container, at cold start, for the handlers that touch the identity provider. */
export const emailVerification = emailVerificationWith(identity);
export const accounts = new Accounts(
  identity,
  userRepository,
  systemClock,
  emailVerification,
  (message, error) => logger.error(message, error as Error),
);
