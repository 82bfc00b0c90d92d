import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { IdentityOperation } from '../../shared/api/route-record.js';
import { GROUP_ROLES } from '../../shared/domain/principal.js';
import { ENV } from '../../shared/env.js';

/** The Cognito actions behind each identity-provider operation, and nothing more. */
const ACTIONS: Record<IdentityOperation, string[]> = {
  createUser: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminSetUserPassword'],
  authenticate: ['cognito-idp:AdminInitiateAuth'],
  // GlobalSignOut is authorized by the access token itself, not by IAM.
  signOut: [],
  setRoles: [
    'cognito-idp:AdminListGroupsForUser',
    'cognito-idp:AdminAddUserToGroup',
    'cognito-idp:AdminRemoveUserFromGroup',
  ],
  deleteUser: ['cognito-idp:AdminDeleteUser'],
  markEmailVerified: ['cognito-idp:AdminUpdateUserAttributes'],
};

/** Access tokens live an hour; logout revokes one earlier through the denylist. */
export const ACCESS_TOKEN_VALIDITY = Duration.hours(1);

/** Users sign in with email; groups mirror the organizer and admin roles. */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      signInAliases: { email: true },
      // Sign-up goes through the API, which also writes the profile.
      selfSignUpEnabled: false,
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 8,
        requireLowercase: false,
        requireUppercase: false,
        requireDigits: false,
        requireSymbols: false,
      },
      // The API mails and checks its own verification code (through SES, capped per
      // recipient) and only records the outcome here, so Cognito sends no codes of its own.
      autoVerify: { email: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG1',
        reason:
          'Length-based policy (8+), per NIST SP 800-63B; composition rules would reject the contract’s default admin password.',
      },
      {
        id: 'AwsSolutions-COG2',
        reason: 'MFA is not part of the API contract yet; tokens are short-lived and revocable.',
      },
      {
        id: 'AwsSolutions-COG3',
        reason: 'Threat protection (Plus plan) is a cost decision left to the operator.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason: 'Essentials plan: the Plus plan only adds threat protection, see COG3.',
      },
    );
    this.client = this.userPool.addClient('ApiClient', {
      // Only the API's own functions authenticate, server-side; no secret to leak.
      authFlows: { adminUserPassword: true },
      // No hosted UI, redirects or OAuth grants: the API's login route is the only way in.
      disableOAuth: true,
      generateSecret: false,
      accessTokenValidity: ACCESS_TOKEN_VALIDITY,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    for (const role of GROUP_ROLES) {
      new UserPoolGroup(this, `${role}Group`, { userPool: this.userPool, groupName: role });
    }
  }

  /** Lets a function perform exactly these operations, and tells it where. */
  bind(fn: LambdaFunction, operations: readonly IdentityOperation[]): void {
    fn.addEnvironment(ENV.identityProvider, 'cognito');
    fn.addEnvironment(ENV.userPoolId, this.userPool.userPoolId);
    fn.addEnvironment(ENV.userPoolClientId, this.client.userPoolClientId);
    const actions = operations.flatMap((operation) => ACTIONS[operation]);
    if (actions.length > 0) {
      fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.userPool.userPoolArn] }));
    }
  }

  /** What the authorizer needs to verify tokens; the JWKS is public, so no grant. */
  bindVerifier(fn: LambdaFunction): void {
    const issuer = `https://${this.userPool.userPoolProviderUrl}`;
    fn.addEnvironment(ENV.tokenIssuer, issuer);
    fn.addEnvironment(ENV.tokenJwksUri, `${issuer}/.well-known/jwks.json`);
    fn.addEnvironment(ENV.userPoolClientId, this.client.userPoolClientId);
  }
}
