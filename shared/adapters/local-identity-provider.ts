import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { type CryptoKey, SignJWT } from 'jose';
import { userKeys } from '../db/table.js';
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
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly signer: LocalSigner,
    private readonly newId: () => string,
  ) {}

  async createUser(input: { email: string; password: string }): Promise<{ userId: string }> {
    const userId = this.newId();
    const salt = randomBytes(16);
    const hash = await scryptAsync(input.password, salt, HASH_BYTES);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...userKeys.localCredential(input.email),
            userId,
            salt: salt.toString('base64'),
            hash: hash.toString('base64'),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new EmailTaken(`${input.email} is already registered`);
      }
      throw error;
    }
    return { userId };
  }

  async authenticate(email: string, password: string) {
    const { Item: credential } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: userKeys.localCredential(email) }),
    );
    // Hash even for an unknown email, so timing does not tell which emails exist.
    const salt = credential ? Buffer.from(credential.salt as string, 'base64') : randomBytes(16);
    const hash = await scryptAsync(password, salt, HASH_BYTES);
    const expected = credential
      ? Buffer.from(credential.hash as string, 'base64')
      : randomBytes(HASH_BYTES);
    if (!credential || !timingSafeEqual(hash, expected)) {
      throw new Unauthenticated('Invalid email or password');
    }
    const { privateKey, keyId, issuer, clientId, tokenSeconds } = this.signer;
    const userId = credential.userId as string;
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

  async deleteUser(user: { email: string }): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: userKeys.localCredential(user.email) }),
    );
  }
}
