import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type CryptoKey, SignJWT } from 'jose';
import { localCredentialFromItem, localCredentialWrites } from '../db/entities/local-credential.js';
import { userKeys } from '../db/table.js';
import { TableWriter } from '../db/transactions.js';
import { EmailTaken, Unauthenticated } from '../domain/errors.js';
import type { IdentityProvider } from '../domain/identity-ports.js';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
) => Promise<Buffer>;
const HASH_BYTES = 64;

export interface LocalSigner {
  privateKey: CryptoKey;
  keyId: string;
  issuer: string;
  clientId: string;
  tokenSeconds: number;
}

/**
 * The local stand-in for Cognito: users' password hashes (scrypt, salted) in DynamoDB
 * Local, and RS256 access tokens with Cognito's claim shape, verified by the same
 * authorizer code against this provider's JWKS. Never used on AWS.
 */
export class LocalIdentityProvider implements IdentityProvider {
  private readonly writer: TableWriter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly signer: LocalSigner,
    private readonly newId: () => string,
  ) {
    this.writer = new TableWriter(client, tableName);
  }

  async createUser(input: { email: string; password: string }): Promise<{ userId: string }> {
    const userId = this.newId();
    const salt = randomBytes(16);
    const hash = await scryptAsync(input.password, salt, HASH_BYTES);
    const outcome = await this.writer.putIf(
      localCredentialWrites.insert(input.email, { userId, salt, hash }),
    );
    if (!outcome.ok) throw new EmailTaken(`${input.email} is already registered`);
    return { userId };
  }

  async authenticate(email: string, password: string) {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: userKeys.localCredential(email) }),
    );
    const credential = item && localCredentialFromItem(item);
    // Hash even for an unknown email, so timing does not tell which emails exist.
    const salt = credential?.salt ?? randomBytes(16);
    const hash = await scryptAsync(password, salt, HASH_BYTES);
    const expected = credential?.hash ?? randomBytes(HASH_BYTES);
    if (!credential || !timingSafeEqual(hash, expected)) {
      throw new Unauthenticated('Invalid email or password');
    }
    const { privateKey, keyId, issuer, clientId, tokenSeconds } = this.signer;
    const { userId } = credential;
    const accessToken = await new SignJWT({
      token_use: 'access',
      client_id: clientId,
      scope: 'aws.cognito.signin.user.admin',
      username: userId,
    })
      .setProtectedHeader({ alg: 'RS256', kid: keyId })
      .setSubject(userId)
      .setIssuer(issuer)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${tokenSeconds}s`)
      .sign(privateKey);
    return { accessToken, expiresIn: tokenSeconds };
  }

  /** Local tokens have no server-side session; the denylist is all there is. */
  async signOut(): Promise<void> {}

  /** Roles live in the profile; the local provider keeps no groups. */
  async setRoles(): Promise<void> {}

  /** The profile's `emailVerified` is all there is locally. */
  async markEmailVerified(): Promise<void> {}

  async deleteUser(user: { email: string }): Promise<void> {
    await this.writer.deleteIf(localCredentialWrites.remove(user.email));
  }
}
