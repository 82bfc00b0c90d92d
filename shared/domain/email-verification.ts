import type { Clock } from './clock.js';
import { VERIFY_EMAIL } from './email-model.js';
import type { EmailQueue } from './email-ports.js';
import { VERIFICATION_CODE_HOURS } from './emails.js';
import { ValidationFailed } from './errors.js';
import type { IdentityProvider, UserRepository, VerificationCodes } from './identity-ports.js';
import type { User, VerifyEmailInput } from './user-model.js';

/** Wrong guesses one code takes; then only a new code (resend) verifies. */
export const VERIFICATION_TRIES = 5;

export interface EmailVerificationDeps {
  users: Pick<UserRepository, 'getByEmail' | 'update'>;
  codes: VerificationCodes;
  identity: Pick<IdentityProvider, 'markEmailVerified'>;
  queue: EmailQueue;
  clock: Clock;
  /** Six random digits, from a CSPRNG. */
  newCode: () => string;
  newId: () => string;
}

/**
 * Proving an address: a 6-digit code mailed through the email queue (kind `verify-email`,
 * so it is capped and sent once like any email), checked here on every runtime; the
 * identity provider only mirrors the result.
 */
export class EmailVerification {
  constructor(private readonly deps: EmailVerificationDeps) {}

  /** Issues a new code (the old one stops working) and queues its mail. */
  async sendCode(user: Pick<User, 'id'>): Promise<void> {
    const now = this.deps.clock.now();
    const code = this.deps.newCode();
    const codeId = this.deps.newId();
    await this.deps.codes.issue(user.id, {
      id: codeId,
      code,
      expiresAt: new Date(now.getTime() + VERIFICATION_CODE_HOURS * 3_600_000),
      tries: VERIFICATION_TRIES,
    });
    await this.deps.queue.send({ kind: VERIFY_EMAIL, userId: user.id, codeId, code });
  }

  /** The same silence whether the address is unknown, verified or waiting: no account is revealed. */
  async resend(email: string): Promise<void> {
    const user = await this.deps.users.getByEmail(email);
    if (user && !user.emailVerified) await this.sendCode(user);
  }

  /**
   * One try of the user's live code. An unknown address fails like a spent code. An address
   * verified already answers verified whatever the code: the state asked for holds.
   */
  async verify(input: VerifyEmailInput): Promise<{ emailVerified: true }> {
    const user = await this.deps.users.getByEmail(input.email);
    if (user?.emailVerified) return { emailVerified: true };
    const outcome = user
      ? await this.deps.codes.attempt(user.id, input.code, this.deps.clock.now())
      : 'spent';
    if (outcome === 'mismatch') throw codeRefused('The code is not right');
    if (!user || outcome === 'spent') {
      throw codeRefused(
        `No live code for this address: it expired, was tried ${VERIFICATION_TRIES} times or was never sent. Ask for a new one.`,
      );
    }
    // The provider first: if the profile write then fails, a retry with the same code (while
    // it has tries) mirrors again, idempotently, before the profile says verified.
    await this.deps.identity.markEmailVerified(user);
    await this.deps.users.update(user.id, {
      emailVerified: true,
      updatedAt: this.deps.clock.now().toISOString(),
    });
    await this.deps.codes.remove(user.id);
    return { emailVerified: true };
  }
}

function codeRefused(message: string): ValidationFailed {
  return new ValidationFailed(message, [{ path: 'body.code', message }]);
}
