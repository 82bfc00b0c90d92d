import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { InvalidToken, type TokenVerifier, type VerifiedToken } from '../domain/identity-ports.js';

export interface TokenVerifierConfig {
  issuer: string;
  jwksUri: string;
  /** Cognito access tokens name their app client in `client_id` (they carry no `aud`). */
  clientId: string;
}

/**
 * Verifies Cognito-style access tokens against the issuer's JWKS: RS256 only (so
 * `alg: none` and HMAC tricks fail), signature by a published key, issuer, client,
 * `token_use: access`, expiry. The key set is fetched once and cached per container.
 */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: TokenVerifierConfig) {
    this.keys = createRemoteJWKSet(new URL(config.jwksUri));
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['sub', 'jti', 'exp', 'token_use', 'client_id'],
      }));
    } catch (error) {
      // A key set we could not fetch is our failure, not the caller's token's: the
      // Authenticator reports it as unavailable (503), never as a rejected token (401).
      if (!(error instanceof errors.JOSEError) || isKeySetFailure(error)) throw error;
      throw new InvalidToken(
        error instanceof errors.JWTExpired ? 'The token has expired' : 'The token is not valid',
      );
    }
    if (payload.token_use !== 'access') throw new InvalidToken('Not an access token');
    if (payload.client_id !== this.config.clientId) {
      throw new InvalidToken('The token was issued to another client');
    }
    return {
      userId: payload.sub as string,
      tokenId: payload.jti as string,
      expiresAt: payload.exp as number,
    };
  }
}

/**
 * jose's errors of the key set itself: a timeout, a response that isn't a key set, and a
 * failed fetch (non-200), which jose throws as its base JOSEError.
 */
function isKeySetFailure(error: InstanceType<typeof errors.JOSEError>): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error.constructor === errors.JOSEError
  );
}
