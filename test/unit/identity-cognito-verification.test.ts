import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  GetUserAttributeVerificationCodeCommand,
  TooManyRequestsException,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoIdentityProvider } from '../../shared/adapters/cognito-identity-provider.js';

const cognito = mockClient(CognitoIdentityProviderClient);

beforeEach(() => {
  cognito.reset();
});

const USER_POOL_ID = 'us-east-1_unitTest';
const SUB = '4f1c2d3e-aaaa-bbbb-cccc-000000000002';
const user = { id: SUB, email: 'vera@example.com' };

function provider(): CognitoIdentityProvider {
  return new CognitoIdentityProvider(new CognitoIdentityProviderClient({ region: 'us-east-1' }), {
    userPoolId: USER_POOL_ID,
    clientId: 'unit-test-client',
  });
}

describe('CognitoIdentityProvider.markEmailVerified', () => {
  it('sets email_verified on the user, by sub, with the admin API alone', async () => {
    // Prepare
    cognito.on(AdminUpdateUserAttributesCommand).resolves({});

    // Act
    await provider().markEmailVerified(user);

    // Assess
    expect(cognito.calls()).toHaveLength(1);
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)[0]?.args[0].input).toEqual({
      UserPoolId: USER_POOL_ID,
      Username: SUB,
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
    });
    // Cognito's own code flow needs the user's access token, which the route never has.
    expect(cognito.commandCalls(GetUserAttributeVerificationCodeCommand)).toHaveLength(0);
    expect(cognito.commandCalls(VerifyUserAttributeCommand)).toHaveLength(0);
  });

  it('lets a Cognito failure through, so the profile is not marked before Cognito is', async () => {
    // Prepare
    cognito
      .on(AdminUpdateUserAttributesCommand)
      .rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));

    // Act + Assess
    await expect(provider().markEmailVerified(user)).rejects.toBeInstanceOf(
      TooManyRequestsException,
    );
  });
});
