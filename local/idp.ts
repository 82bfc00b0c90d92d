import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { ENV } from '../shared/env.js';

/** Where the local identity provider publishes its keys, on the API's own origin. */
export const LOCAL_IDP_PATH = '/local-idp';
export const LOCAL_JWKS_PATH = `${LOCAL_IDP_PATH}/.well-known/jwks.json`;
export const LOCAL_CLIENT_ID = 'local-client';

export interface LocalSigningKey {
  privateJwk: JWK;
  jwks: { keys: JWK[] };
}

async function generate(): Promise<LocalSigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256' };
  return { privateJwk, jwks: publicSetOf(privateJwk) };
}

function publicSetOf(privateJwk: JWK): { keys: JWK[] } {
  const { kty, n, e, kid, alg } = privateJwk;
  return { keys: [{ kty, n, e, kid, alg, use: 'sig' } as JWK] };
}

/**
 * The RS256 key the local provider signs with. Kept in `file` so tokens survive a
 * restart of the local stack; without a file, a fresh key per run.
 */
export async function localSigningKey(file?: string): Promise<LocalSigningKey> {
  if (file && existsSync(file)) {
    const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    return { privateJwk, jwks: publicSetOf(privateJwk) };
  }
  const key = await generate();
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(key.privateJwk), { mode: 0o600 });
  }
  return key;
}

/** The environment every local function reads to issue and verify tokens. */
export function localIdentityEnv(key: LocalSigningKey, origin: string): Record<string, string> {
  return {
    [ENV.identityProvider]: 'local',
    [ENV.localIdpPrivateJwk]: JSON.stringify(key.privateJwk),
    [ENV.tokenIssuer]: `${origin}${LOCAL_IDP_PATH}`,
    [ENV.tokenJwksUri]: `${origin}${LOCAL_JWKS_PATH}`,
    [ENV.userPoolClientId]: LOCAL_CLIENT_ID,
  };
}
