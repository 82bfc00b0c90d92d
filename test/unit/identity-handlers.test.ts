import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  NotAuthorizedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readable } from '../support/expressions.js';
import { expectProblem, invoke, type TestResponse } from '../support/invoke.js';

// Each mocks every instance, including those the composition modules build at import.
const cognito = mockClient(CognitoIdentityProviderClient);
const ddb = mockClient(DynamoDBDocumentClient);
// Registration queues the verification code's mail.
const sqs = mockClient(SQSClient);

beforeEach(() => {
  sqs.reset();
  cognito.reset();
  ddb.reset();
});

const TABLE = 'unit-test-table';
const SUB = '0b6f7a3c-1111-2222-3333-444455556666';
const PASSWORD = 'correct horse battery';
const metadata = { $metadata: {} };

function cognitoCreatesUser(sub = SUB): void {
  cognito.on(AdminCreateUserCommand).resolves({
    User: { Username: sub, Attributes: [{ Name: 'sub', Value: sub }] },
  });
  cognito.on(AdminSetUserPasswordCommand).resolves({});
}

describe('POST /v1/auth/register', () => {
  it('answers 201 with exactly id, email, name, roles and emailVerified, and no password anywhere', async () => {
    // Prepare
    cognitoCreatesUser();
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    const response = await invoke('POST', '/v1/auth/register', {
      body: { email: 'Ann@Example.com', password: PASSWORD, name: 'Ann' },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual({
      id: SUB,
      email: 'ann@example.com',
      name: 'Ann',
      roles: ['customer'],
      emailVerified: false,
    });
    expect(JSON.stringify(response)).not.toContain(PASSWORD);
  });

  it('claims the lower-cased email and writes a profile that holds no password', async () => {
    // Prepare
    cognitoCreatesUser();
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    await invoke('POST', '/v1/auth/register', {
      body: { email: 'Ann@Example.com', password: PASSWORD, name: 'Ann' },
    });

    // Assess
    const write = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(write?.TransactItems).toEqual([
      {
        Put: {
          TableName: TABLE,
          Item: { pk: 'EMAIL#ann@example.com', sk: 'CLAIM', userId: SUB },
          ConditionExpression: expect.any(String),
          ExpressionAttributeNames: expect.any(Object),
        },
      },
      {
        Put: expect.objectContaining({
          TableName: TABLE,
          Item: expect.objectContaining({
            pk: `USER#${SUB}`,
            sk: 'PROFILE',
            email: 'ann@example.com',
            roles: ['customer'],
          }),
        }),
      },
    ]);
    for (const item of write?.TransactItems ?? []) {
      expect(readable(item.Put?.ConditionExpression, item.Put ?? {})).toBe(
        'attribute_not_exists(pk)',
      );
    }
    expect(JSON.stringify(write)).not.toContain(PASSWORD);
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      Username: 'ann@example.com',
    });
  });

  it.each([
    [
      'an unknown field',
      { email: 'a@example.com', password: PASSWORD, name: 'A', roles: ['admin'] },
      'body.roles',
    ],
    [
      'a short password',
      { email: 'a@example.com', password: 'short12', name: 'A' },
      'body.password',
    ],
    ['an invalid email', { email: 'not-an-email', password: PASSWORD, name: 'A' }, 'body.email'],
    ['a blank name', { email: 'a@example.com', password: PASSWORD, name: '   ' }, 'body.name'],
    ['a missing password', { email: 'a@example.com', name: 'A' }, 'body.password'],
  ])('rejects %s with 400 naming the field, before calling Cognito', async (_case, body, path) => {
    // Act
    const response = await invoke('POST', '/v1/auth/register', { body });

    // Assess
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([{ path, message: expect.any(String) }]),
    );
    expect(cognito).not.toHaveReceivedAnyCommand();
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('answers 409 EMAIL_TAKEN when Cognito knows the email already', async () => {
    // Prepare
    cognito
      .on(AdminCreateUserCommand)
      .rejects(
        new UsernameExistsException({ message: 'User account already exists', ...metadata }),
      );

    // Act
    const response = await invoke('POST', '/v1/auth/register', {
      body: { email: 'taken@example.com', password: PASSWORD, name: 'Taken' },
    });

    // Assess
    expectProblem(response, 409, 'EMAIL_TAKEN');
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('answers 409 EMAIL_TAKEN when the email claim exists, and deletes the Cognito user it just created', async () => {
    // Prepare
    cognitoCreatesUser();
    cognito.on(AdminDeleteUserCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        ...metadata,
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    // Act
    const response = await invoke('POST', '/v1/auth/register', {
      body: { email: 'claimed@example.com', password: PASSWORD, name: 'Claimed' },
    });

    // Assess
    expectProblem(response, 409, 'EMAIL_TAKEN');
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminDeleteUserCommand, {
      Username: SUB,
    });
  });

  const conflict = () =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      ...metadata,
      CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
    });

  it('retries a sign-up that lost a TransactionConflict and then goes through', async () => {
    // Prepare
    cognitoCreatesUser();
    ddb.on(TransactWriteCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({});

    // Act
    const response = await invoke('POST', '/v1/auth/register', {
      body: { email: 'racer@example.com', password: PASSWORD, name: 'Racer' },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
  });

  it('answers 409 CONCURRENT_MODIFICATION after repeated conflicts, and deletes the Cognito user', async () => {
    // Prepare
    cognitoCreatesUser();
    cognito.on(AdminDeleteUserCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(conflict());

    // Act
    const response = await invoke('POST', '/v1/auth/register', {
      body: { email: 'racer@example.com', password: PASSWORD, name: 'Racer' },
    });

    // Assess
    expectProblem(response, 409, 'CONCURRENT_MODIFICATION');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminDeleteUserCommand, {
      Username: SUB,
    });
  });
});

describe('POST /v1/auth/login', () => {
  it('answers 200 with the access token as a Bearer token', async () => {
    // Prepare
    cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: 'access.jwt', ExpiresIn: 3600, TokenType: 'Bearer' },
    });

    // Act
    const response = await invoke('POST', '/v1/auth/login', {
      body: { email: 'Ann@Example.com', password: PASSWORD },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({
      accessToken: 'access.jwt',
      tokenType: 'Bearer',
      expiresIn: 3600,
    });
    expect(cognito).toHaveReceivedCommandWith(AdminInitiateAuthCommand, {
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'ann@example.com', PASSWORD },
    });
  });

  it('tells caches not to keep the token: Cache-Control: no-store', async () => {
    // Prepare
    cognito.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: 'access.jwt', ExpiresIn: 3600, TokenType: 'Bearer' },
    });

    // Act
    const response = await invoke('POST', '/v1/auth/login', {
      body: { email: 'ann@example.com', password: PASSWORD },
    });

    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
  });

  it('answers wrong credentials and an unknown user with the same 401 problem', async () => {
    const responses: TestResponse[] = [];
    for (const failure of [
      new NotAuthorizedException({ message: 'Incorrect username or password.', ...metadata }),
      new UserNotFoundException({ message: 'User does not exist.', ...metadata }),
    ]) {
      // Prepare
      cognito.reset();
      cognito.on(AdminInitiateAuthCommand).rejects(failure);

      // Act
      responses.push(
        await invoke('POST', '/v1/auth/login', {
          body: { email: 'ann@example.com', password: 'wrong-password' },
        }),
      );
    }

    // Assess
    for (const response of responses) expectProblem(response, 401, 'UNAUTHENTICATED');
    expect(responses[0]?.body).toEqual(responses[1]?.body);
  });

  it('rejects an unknown field with 400 before calling Cognito', async () => {
    // Act
    const response = await invoke('POST', '/v1/auth/login', {
      body: { email: 'ann@example.com', password: PASSWORD, remember: true },
    });

    // Assess
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(cognito).not.toHaveReceivedAnyCommand();
  });
});
