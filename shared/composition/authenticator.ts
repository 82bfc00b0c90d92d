import { JoseTokenVerifier } from '../adapters/jose-token-verifier.js';
import { Authenticator } from '../domain/authenticator.js';
import { ENV, requireEnv } from '../env.js';
import { logger } from '../observability.js';
import { userRepository } from './users.js';

/** Built once per container: the key set it fetches is cached across invocations. */
export const authenticator = new Authenticator(
  new JoseTokenVerifier({
    issuer: requireEnv(ENV.tokenIssuer),
    jwksUri: requireEnv(ENV.tokenJwksUri),
    clientId: requireEnv(ENV.userPoolClientId),
  }),
  userRepository,
  (error) =>
    logger.error('Could not check a token (key set, or denylist and roles)', error as Error),
);
