import { InvalidToken, type TokenVerifier, type UserRepository } from './identity-ports.js';

/**
 * What the Lambda authorizer hands every handler (values are scalars, as API Gateway
 * requires). A rejected token is reported, not denied at the gateway: API Gateway
 * answers a denial with a bare 403, while the contract wants problem+json 401.
 */
export type AuthorizerContext =
  | { status: 'anonymous' }
  | { status: 'rejected'; reason: string }
  /**
   * The token could not be checked because the user store (denylist and roles) did not
   * answer: the request ends as 503 `NOT_READY`, never as 401 (the token may be fine) nor
   * as the gateway's bare 500 (what a throwing authorizer would give).
   */
  | { status: 'unavailable'; reason: string }
  | {
      status: 'authenticated';
      userId: string;
      email: string;
      name: string;
      /** Comma-separated. */
      roles: string;
      tokenId: string;
      /** Epoch seconds. */
      tokenExpiresAt: number;
    };

export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly users: Pick<UserRepository, 'authState'>,
    /** Told the real cause when the user store fails; the client gets a generic reason. */
    private readonly onUnavailable: (error: unknown) => void = () => {},
  ) {}

  async authenticate(authorization: string | undefined): Promise<AuthorizerContext> {
    if (authorization === undefined || authorization.trim() === '') return { status: 'anonymous' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) {
      return { status: 'rejected', reason: 'The Authorization header must be "Bearer <token>"' };
    }
    let token: Awaited<ReturnType<TokenVerifier['verify']>>;
    try {
      token = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidToken) return { status: 'rejected', reason: error.message };
      // The issuer's key set could not be fetched: the token may well be good.
      this.onUnavailable(error);
      return {
        status: 'unavailable',
        reason:
          "The token could not be checked: the issuer's keys could not be fetched; retry later",
      };
    }
    let state: Awaited<ReturnType<UserRepository['authState']>>;
    try {
      state = await this.users.authState(token.userId, token.tokenId);
    } catch (error) {
      this.onUnavailable(error);
      return {
        status: 'unavailable',
        reason: 'The token could not be checked: the user store did not answer; retry later',
      };
    }
    const { user, revoked } = state;
    if (revoked) return { status: 'rejected', reason: 'The token was revoked by logout' };
    // Roles are read from the profile, so a role change or deletion applies to live tokens.
    if (!user) return { status: 'rejected', reason: 'The token belongs to no current user' };
    return {
      status: 'authenticated',
      userId: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles.join(','),
      tokenId: token.tokenId,
      tokenExpiresAt: token.expiresAt,
    };
  }
}
