import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
  GlobalSignOutCommand,
  InvalidParameterException,
  InvalidPasswordException,
  NotAuthorizedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { EmailTaken, Unauthenticated, ValidationFailed } from '../domain/errors.js';
import type { IdentityProvider } from '../domain/identity-ports.js';
import { GROUP_ROLES, type Role } from '../domain/principal.js';

export interface CognitoConfig {
  userPoolId: string;
  clientId: string;
}

/**
 * Cognito as the identity provider. Users sign in with email; their `sub` is the
 * user id. The server runs the admin password flow, so no client secret or SRP code
 * reaches callers.
 */
export class CognitoIdentityProvider implements IdentityProvider {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly config: CognitoConfig,
  ) {}

  async createUser(input: { email: string; password: string; name: string }) {
    const { userPoolId: UserPoolId } = this.config;
    let sub: string | undefined;
    try {
      const created = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username: input.email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: input.email },
            // Proved later with the API's code (markEmailVerified); until then Cognito's
            // own recovery mail, which needs a verified address, is off for this user.
            { Name: 'email_verified', Value: 'false' },
            { Name: 'name', Value: input.name },
          ],
        }),
      );
      sub = created.User?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    } catch (error) {
      if (error instanceof UsernameExistsException) {
        throw new EmailTaken(`${input.email} is already registered`);
      }
      throw error;
    }
    try {
      if (!sub) throw new Error('Cognito created a user without a sub');
      await this.client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId,
          Username: sub,
          Password: input.password,
          Permanent: true,
        }),
      );
    } catch (error) {
      // A user without a usable password would block this email forever: remove it.
      await this.deleteUser({ id: sub ?? input.email });
      if (error instanceof InvalidPasswordException || error instanceof InvalidParameterException) {
        throw new ValidationFailed('The password is not accepted', [
          { path: 'body.password', message: error.message },
        ]);
      }
      throw error;
    }
    return { userId: sub };
  }

  async authenticate(email: string, password: string) {
    try {
      const result = await this.client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: this.config.userPoolId,
          ClientId: this.config.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      const { AccessToken, ExpiresIn } = result.AuthenticationResult ?? {};
      if (!AccessToken || ExpiresIn === undefined) throw new Error('Cognito returned no token');
      return { accessToken: AccessToken, expiresIn: ExpiresIn };
    } catch (error) {
      if (error instanceof NotAuthorizedException || error instanceof UserNotFoundException) {
        throw new Unauthenticated('Invalid email or password');
      }
      throw error;
    }
  }

  /** Needs no IAM grant: Cognito authorizes the call with the access token itself. */
  async signOut(accessToken: string): Promise<void> {
    try {
      await this.client.send(new GlobalSignOutCommand({ AccessToken: accessToken }));
    } catch (error) {
      // Already signed out, or the user is gone: the session is over either way.
      if (!(error instanceof NotAuthorizedException || error instanceof UserNotFoundException)) {
        throw error;
      }
    }
  }

  async setRoles(user: { id: string }, roles: readonly Role[]): Promise<void> {
    const { userPoolId: UserPoolId } = this.config;
    const listed = await this.client.send(
      new AdminListGroupsForUserCommand({ UserPoolId, Username: user.id }),
    );
    const current = new Set((listed.Groups ?? []).map((group) => group.GroupName));
    for (const group of GROUP_ROLES) {
      const wanted = roles.includes(group);
      if (wanted && !current.has(group)) {
        await this.client.send(
          new AdminAddUserToGroupCommand({ UserPoolId, Username: user.id, GroupName: group }),
        );
      } else if (!wanted && current.has(group)) {
        await this.client.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId, Username: user.id, GroupName: group }),
        );
      }
    }
  }

  async deleteUser(user: { id: string }): Promise<void> {
    try {
      await this.client.send(
        new AdminDeleteUserCommand({ UserPoolId: this.config.userPoolId, Username: user.id }),
      );
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
  }

  /**
   * Cognito's own code APIs (GetUserAttributeVerificationCode, VerifyUserAttribute) need
   * the user's access token, which the anonymous verify route doesn't have: the API checks
   * its own code, and an admin update records the outcome.
   */
  async markEmailVerified(user: { id: string }): Promise<void> {
    await this.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: this.config.userPoolId,
        Username: user.id,
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );
  }
}
