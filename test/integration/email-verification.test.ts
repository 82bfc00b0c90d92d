import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAsync } from '../../local/async-runtime.js';
import type { RunningGateway } from '../../local/gateway.js';
import { documentClient, tableName } from '../../shared/composition/dynamodb.js';
import { userKeys } from '../../shared/db/table.js';
import { expectProblem, login, send, startTestGateway, uniqueEmail } from '../support/http-api.js';
import { emailsTo, waitFor } from '../support/ses-store.js';

/*
 * Registration → the code mail through the outbox path (local bus → send-email handler →
 * SES emulator) → POST /v1/auth/verify-email, against DynamoDB Local, as a client sees it.
 */

const PASSWORD = 'a-long-password';
let gateway: RunningGateway;
let runtime: ReturnType<typeof startLocalAsync>;

beforeAll(async () => {
  gateway = await startTestGateway();
  runtime = startLocalAsync({ log: () => undefined });
});

afterAll(async () => {
  runtime?.stop();
  await gateway?.close();
});

/** The codes mailed to `email` so far, oldest first, once `count` have arrived. */
async function codesMailedTo(email: string, count = 1): Promise<string[]> {
  const mails = await waitFor(
    () => emailsTo(email),
    (found) => found.length >= count,
  );
  return mails.map((mail) => {
    expect(mail.subject).toBe('Confirm your email address');
    const code = /^(\d{6})$/m.exec(mail.body.text ?? '')?.[1];
    expect(code, mail.body.text).toBeDefined();
    expect(mail.body.html).toContain(`<strong>${code}</strong>`);
    return code ?? '';
  });
}

async function register(): Promise<{ email: string; token: () => Promise<string> }> {
  const email = uniqueEmail('verify');
  const registered = await send(gateway.url, 'POST', '/v1/auth/register', {
    body: { email, password: PASSWORD, name: 'Vera' },
  });
  expect(registered.status, registered.text).toBe(201);
  expect(registered.body.emailVerified).toBe(false);
  return { email, token: () => login(gateway.url, email, PASSWORD) };
}

const verify = (email: string, code: string) =>
  send(gateway.url, 'POST', '/v1/auth/verify-email', { body: { email, code } });
const resend = (email: string) =>
  send(gateway.url, 'POST', '/v1/auth/verify-email/resend', { body: { email } });

async function verifiedOnMe(user: { token: () => Promise<string> }): Promise<boolean> {
  const me = await send(gateway.url, 'GET', '/v1/me', { token: await user.token() });
  expect(me.status, me.text).toBe(200);
  return me.body.emailVerified;
}

/** Some other 6 digits than `code`. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('email verification', () => {
  it('mails a 6-digit code on registration; the right code verifies, as GET /v1/me shows', async () => {
    // Prepare
    const user = await register();
    const [code] = await codesMailedTo(user.email);

    // Act
    const verified = await verify(user.email.toUpperCase(), code ?? '');

    // Assess
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body).toEqual({ emailVerified: true });
    expect(await verifiedOnMe(user)).toBe(true);
    // Asking again changes nothing and mails nothing.
    expect((await verify(user.email, code ?? '')).status).toBe(200);
    expect((await resend(user.email)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await emailsTo(user.email)).toHaveLength(1);
  });

  it('refuses a wrong code with 400 at body.code and changes nothing', async () => {
    // Prepare
    const user = await register();
    const [code] = await codesMailedTo(user.email);

    // Act
    const refused = await verify(user.email, wrong(code ?? ''));

    // Assess
    expectProblem(refused, 400, 'VALIDATION_FAILED');
    expect(refused.body.errors).toEqual([{ path: 'body.code', message: expect.any(String) }]);
    expect(await verifiedOnMe(user)).toBe(false);
    // The right code still works afterwards: one wrong try of five.
    expect((await verify(user.email, code ?? '')).status).toBe(200);
  });

  it('after 5 wrong tries even the right code fails, until a resend; then only the new code works', async () => {
    // Prepare
    const user = await register();
    const [first] = await codesMailedTo(user.email);

    // Act
    for (let i = 0; i < 5; i++) {
      expectProblem(await verify(user.email, wrong(first ?? '')), 400, 'VALIDATION_FAILED');
    }
    const rightButSpent = await verify(user.email, first ?? '');
    const resent = await resend(user.email);
    const [, second] = await codesMailedTo(user.email, 2);

    // Assess
    expectProblem(rightButSpent, 400, 'VALIDATION_FAILED');
    expect(resent.status).toBe(202);
    expect(resent.text).toBe('');
    expect(await verifiedOnMe(user)).toBe(false);
    if (second !== first) {
      expectProblem(await verify(user.email, first ?? ''), 400, 'VALIDATION_FAILED');
    }
    expect((await verify(user.email, second ?? '')).status).toBe(200);
    expect(await verifiedOnMe(user)).toBe(true);
  });

  it('gives 20 parallel wrong guesses no more than 5 comparisons', async () => {
    // Prepare
    const user = await register();
    const [code] = await codesMailedTo(user.email);

    // Act: 20 guesses at once, none of them right; then the right one.
    const guesses = await Promise.all(
      Array.from({ length: 20 }, () => verify(user.email, wrong(code ?? ''))),
    );
    const right = await verify(user.email, code ?? '');

    // Assess: the five tries were spent by the guesses, so the right code comes too late.
    for (const guess of guesses) expectProblem(guess, 400, 'VALIDATION_FAILED');
    expectProblem(right, 400, 'VALIDATION_FAILED');
  });

  it('refuses an expired code', async () => {
    // Prepare: the code ran out a second ago.
    const user = await register();
    const [code] = await codesMailedTo(user.email);
    const me = await send(gateway.url, 'GET', '/v1/me', { token: await user.token() });
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKeys.verificationCode(me.body.id),
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1_000).toISOString() },
      }),
    );

    // Act
    const refused = await verify(user.email, code ?? '');

    // Assess
    expectProblem(refused, 400, 'VALIDATION_FAILED');
    expect(await verifiedOnMe(user)).toBe(false);
  });

  it('answers 202 for an unknown address, mails nothing, and refuses a code for it', async () => {
    // Prepare
    const nobody = uniqueEmail('nobody');

    // Act
    const resent = await resend(nobody);
    const verified = await verify(nobody, '123456');

    // Assess
    expect(resent.status).toBe(202);
    expectProblem(verified, 400, 'VALIDATION_FAILED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await emailsTo(nobody)).toEqual([]);
  });

  it('refuses a code that is not 6 digits before looking anything up', async () => {
    const refused = await verify(uniqueEmail('shape'), '12345a');
    expectProblem(refused, 400, 'VALIDATION_FAILED');
    expect(refused.body.errors).toEqual([{ path: 'body.code', message: expect.any(String) }]);
  });
});
