import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  GlobalSignOutCommand,
  InternalErrorException,
  InvalidPasswordException,
  NotAuthorizedException,
  TooManyRequestsException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoIdentityProvider } from '../../shared/adapters/cognito-identity-provider.js';
import { EmailTaken, Unauthenticated } from '../../shared/domain/errors.js';

const cognito = mockClient(CognitoIdentityProviderClient);

beforeEach(() => {
  cognito.reset();
});

const USER_POOL_ID = 'us-east-1_unitTest';
const CLIENT_ID = 'unit-test-client';
const SUB = '4f1c2d3e-aaaa-bbbb-cccc-000000000001';
const user = { id: SUB, email: 'ann@example.com' };

function provider(): CognitoIdentityProvider {
  return new CognitoIdentityProvider(new CognitoIdentityProviderClient({ region: 'us-east-1' }), {
    userPoolId: USER_POOL_ID,
    clientId: CLIENT_ID,
  });
}

const metadata = { $metadata: {} };

/** AdminCreateUser's answer; `null` leaves out the sub attribute. */
function createdUser(sub: string | null = SUB) {
  return {
    User: {
      Username: sub ?? 'generated-username',
      Attributes: [
        { Name: 'email', Value: 'ann@example.com' },
        ...(sub === null ? [] : [{ Name: 'sub', Value: sub }]),
      ],
    },
  };
}

describe('CognitoIdentityProvider.createUser', () => {
  it('creates the user by email with a suppressed invitation, an unverified email and name, then sets a permanent password on the sub', async () => {
    // Prepare
    cognito.on(AdminCreateUserCommand).resolves(createdUser());
    cognito.on(AdminSetUserPasswordCommand).resolves({});

    // Act
    const result = await provider().createUser({
      email: 'ann@example.com',
      password: 'correct horse',
      name: 'Ann',
    });

    // Assess
    expect(result).toEqual({ userId: SUB });
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminCreateUserCommand, {
      UserPoolId: USER_POOL_ID,
      Username: 'ann@example.com',
      MessageAction: 'SUPPRESS',
      UserAttributes: expect.arrayContaining([
        { Name: 'email', Value: 'ann@example.com' },
        { Name: 'email_verified', Value: 'false' },
        { Name: 'name', Value: 'Ann' },
      ]),
    });
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminSetUserPasswordCommand, {
      UserPoolId: USER_POOL_ID,
      Username: SUB,
      Password: 'correct horse',
      Permanent: true,
    });
    // The password goes only to AdminSetUserPassword, never into an attribute.
    const createInput = cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input;
    expect(JSON.stringify(createInput)).not.toContain('correct horse');
    expect(createInput).not.toHaveProperty('TemporaryPassword');
    // Create, then set the password: in that order.
    expect(cognito.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'AdminCreateUserCommand',
      'AdminSetUserPasswordCommand',
    ]);
  });

  it('maps UsernameExistsException to EmailTaken and sets no password', async () => {
    // Prepare
    cognito
      .on(AdminCreateUserCommand)
      .rejects(
        new UsernameExistsException({ message: 'User account already exists', ...metadata }),
      );

    // Act
    const attempt = provider().createUser({
      email: 'ann@example.com',
      password: 'password1',
      name: 'Ann',
    });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(EmailTaken);
    expect(cognito).not.toHaveReceivedCommand(AdminSetUserPasswordCommand);
  });

  it('lets other AdminCreateUser failures through unchanged', async () => {
    // Prepare
    const throttled = new TooManyRequestsException({ message: 'Rate exceeded', ...metadata });
    cognito.on(AdminCreateUserCommand).rejects(throttled);

    // Act
    const attempt = provider().createUser({
      email: 'ann@example.com',
      password: 'password1',
      name: 'Ann',
    });

    // Assess
    await expect(attempt).rejects.toBe(throttled);
  });

  it('fails, setting no password, when Cognito answers without a sub', async () => {
    // Prepare
    cognito.on(AdminCreateUserCommand).resolves(createdUser(null));

    // Act
    const attempt = provider().createUser({
      email: 'ann@example.com',
      password: 'password1',
      name: 'Ann',
    });

    // Assess
    await expect(attempt).rejects.toThrow(/sub/);
    expect(cognito).not.toHaveReceivedCommand(AdminSetUserPasswordCommand);
  });

  // This was a bug once: when AdminSetUserPassword failed (throttling, or a password
  // Cognito rejects such as one with a leading/trailing space, which registerSchema lets
  // through), the user created a moment before stayed in Cognito in FORCE_CHANGE_PASSWORD
  // without a usable password. Accounts.register could not compensate (createUser threw),
  // so the email was blocked for good: every later register got EMAIL_TAKEN and login
  // always failed. createUser now deletes the half-created user itself.
  it('deletes the half-created user when setting the password fails, and reports the failure', async () => {
    // Prepare
    cognito.on(AdminCreateUserCommand).resolves(createdUser());
    const rejected = new InvalidPasswordException({
      message: 'Password does not conform to policy',
      ...metadata,
    });
    cognito.on(AdminSetUserPasswordCommand).rejects(rejected);
    cognito.on(AdminDeleteUserCommand).resolves({});

    // Act
    const attempt = provider().createUser({
      email: 'ann@example.com',
      password: ' password with edges ',
      name: 'Ann',
    });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(Error);
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminDeleteUserCommand, {
      UserPoolId: USER_POOL_ID,
      Username: SUB,
    });
  });
});

describe('CognitoIdentityProvider.authenticate', () => {
  it('runs ADMIN_USER_PASSWORD_AUTH against the pool and client and returns the access token', async () => {
    // Prepare
    cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: {
        AccessToken: 'access.jwt',
        IdToken: 'id.jwt',
        RefreshToken: 'refresh',
        ExpiresIn: 3600,
        TokenType: 'Bearer',
      },
    });

    // Act
    const result = await provider().authenticate('ann@example.com', 'password1');

    // Assess
    expect(result).toEqual({ accessToken: 'access.jwt', expiresIn: 3600 });
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminInitiateAuthCommand, {
      UserPoolId: USER_POOL_ID,
      ClientId: CLIENT_ID,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'ann@example.com', PASSWORD: 'password1' },
    });
  });

  it('answers a wrong password and an unknown user with the same Unauthenticated message', async () => {
    const failures = [
      new NotAuthorizedException({ message: 'Incorrect username or password.', ...metadata }),
      new UserNotFoundException({ message: 'User does not exist.', ...metadata }),
    ];
    const outcomes: unknown[] = [];
    for (const failure of failures) {
      // Prepare
      cognito.reset();
      cognito.on(AdminInitiateAuthCommand).rejects(failure);

      // Act
      outcomes.push(
        await provider()
          .authenticate('ann@example.com', 'wrong-password')
          .catch((error: unknown) => error),
      );
    }

    // Assess
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(Unauthenticated);
    const [wrongPassword, unknownUser] = outcomes as Unauthenticated[];
    expect(wrongPassword?.message).toBe(unknownUser?.message);
    expect(wrongPassword?.message).not.toMatch(/exist|not found|incorrect password/i);
  });

  it('lets a Cognito outage through as itself (a 500, not a 401)', async () => {
    // Prepare
    const outage = new InternalErrorException({ message: 'internal', ...metadata });
    cognito.on(AdminInitiateAuthCommand).rejects(outage);

    // Act
    const attempt = provider().authenticate('ann@example.com', 'password1');

    // Assess
    await expect(attempt).rejects.toBe(outage);
  });

  it('fails (not Unauthenticated) when Cognito answers with a challenge instead of tokens', async () => {
    // Prepare
    cognito.on(AdminInitiateAuthCommand).resolves({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: 'session',
    });

    // Act
    const outcome = await provider()
      .authenticate('ann@example.com', 'password1')
      .catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(Unauthenticated);
  });
});

describe('CognitoIdentityProvider.setRoles', () => {
  function groupNamesSent(
    command: typeof AdminAddUserToGroupCommand | typeof AdminRemoveUserFromGroupCommand,
  ) {
    return cognito.commandCalls(command).map((call) => call.args[0].input.GroupName);
  }

  it('adds the missing groups and removes the extra ones, never touching a customer group', async () => {
    // Prepare
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'organizer' }] });
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    cognito.on(AdminRemoveUserFromGroupCommand).resolves({});

    // Act
    await provider().setRoles(user, ['customer', 'admin']);

    // Assess
    expect(cognito).toHaveReceivedCommandWith(AdminListGroupsForUserCommand, {
      UserPoolId: USER_POOL_ID,
      Username: SUB,
    });
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminAddUserToGroupCommand, {
      UserPoolId: USER_POOL_ID,
      Username: SUB,
      GroupName: 'admin',
    });
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminRemoveUserFromGroupCommand, {
      UserPoolId: USER_POOL_ID,
      Username: SUB,
      GroupName: 'organizer',
    });
  });

  it('sends nothing but the listing when the groups already match', async () => {
    // Prepare
    cognito
      .on(AdminListGroupsForUserCommand)
      .resolves({ Groups: [{ GroupName: 'admin' }, { GroupName: 'organizer' }] });

    // Act
    await provider().setRoles(user, ['customer', 'organizer', 'admin']);

    // Assess
    expect(cognito).not.toHaveReceivedCommand(AdminAddUserToGroupCommand);
    expect(cognito).not.toHaveReceivedCommand(AdminRemoveUserFromGroupCommand);
  });

  it('mirrors only organizer and admin: a customer role never becomes a group, unrelated groups stay', async () => {
    // Prepare: the user is in no role group, plus one the project does not manage
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'beta-testers' }] });
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    cognito.on(AdminRemoveUserFromGroupCommand).resolves({});

    // Act
    await provider().setRoles(user, ['customer', 'organizer', 'admin']);

    // Assess
    expect(groupNamesSent(AdminAddUserToGroupCommand).sort()).toEqual(['admin', 'organizer']);
    expect(groupNamesSent(AdminRemoveUserFromGroupCommand)).toEqual([]);
  });

  it('removes every role group on a demotion to customer', async () => {
    // Prepare
    cognito
      .on(AdminListGroupsForUserCommand)
      .resolves({ Groups: [{ GroupName: 'organizer' }, { GroupName: 'admin' }] });
    cognito.on(AdminRemoveUserFromGroupCommand).resolves({});

    // Act
    await provider().setRoles(user, ['customer']);

    // Assess
    expect(groupNamesSent(AdminRemoveUserFromGroupCommand).sort()).toEqual(['admin', 'organizer']);
    expect(cognito).not.toHaveReceivedCommand(AdminAddUserToGroupCommand);
  });
});

describe('CognitoIdentityProvider.signOut', () => {
  it('ends the session of the presented access token', async () => {
    // Prepare
    cognito.on(GlobalSignOutCommand).resolves({});

    // Act
    await provider().signOut('access-token-1');

    // Assess
    expect(cognito).toHaveReceivedCommandWith(GlobalSignOutCommand, {
      AccessToken: 'access-token-1',
    });
  });

  it('treats a session that is already over as done, but reports other failures', async () => {
    // Prepare
    cognito
      .on(GlobalSignOutCommand)
      .rejectsOnce(
        new NotAuthorizedException({ message: 'Access Token has been revoked', ...metadata }),
      )
      .rejectsOnce(new InternalErrorException({ message: 'boom', ...metadata }));

    // Act / Assess
    await expect(provider().signOut('revoked')).resolves.toBeUndefined();
    await expect(provider().signOut('any')).rejects.toBeInstanceOf(InternalErrorException);
  });
});

describe('CognitoIdentityProvider.deleteUser', () => {
  it('deletes the user by sub', async () => {
    // Prepare
    cognito.on(AdminDeleteUserCommand).resolves({});

    // Act
    await provider().deleteUser(user);

    // Assess
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminDeleteUserCommand, {
      UserPoolId: USER_POOL_ID,
      Username: SUB,
    });
  });

  it('treats an already deleted user as done', async () => {
    // Prepare
    cognito
      .on(AdminDeleteUserCommand)
      .rejects(new UserNotFoundException({ message: 'User does not exist.', ...metadata }));

    // Act
    const attempt = provider().deleteUser(user);

    // Assess
    await expect(attempt).resolves.toBeUndefined();
  });

  it('propagates every other failure', async () => {
    // Prepare
    const throttled = new TooManyRequestsException({ message: 'Rate exceeded', ...metadata });
    cognito.on(AdminDeleteUserCommand).rejects(throttled);

    // Act
    const attempt = provider().deleteUser(user);

    // Assess
    await expect(attempt).rejects.toBe(throttled);
  });
});
