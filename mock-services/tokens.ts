// Development tokens of the accounts service: ES256 JWTs whose public key is published as a
// JWKS. Without a key file the key pair is made at start-up (what tests want: nothing on disk).
// With one (`npm start`, `npm run mocks`), the pair is kept there, so a token pasted into an
// app or a GraphiQL tab outlives a restart of the mocks.

import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import type { TokenRole } from './records.js';

export const TOKEN_ISSUER = 'skyway-accounts';
export const TOKEN_AUDIENCE = 'skyway-bff';
export const TOKEN_ALGORITHM = 'ES256';
export const DEFAULT_TOKEN_TTL_S = 3600; // one hour

export interface Jwks {
  keys: JWK[];
}

export interface TokenIssuer {
  readonly jwks: Jwks;
  /**
   * A negative ttlS gives a token that expired that many seconds ago (for tests). `name` is
   * the account's name at issue (OpenID's `name` claim), as identity providers put in tokens.
   */
  issue(claims: {
    accountId: string;
    role: TokenRole;
    ttlS: number;
    name?: string;
  }): Promise<string>;
}

export interface TokenIssuerOptions {
  /** Where the key pair is kept across restarts (a private JWK); absent, it lives in memory. */
  keyFile?: string;
}

export async function createTokenIssuer(options: TokenIssuerOptions = {}): Promise<TokenIssuer> {
  const privateJwk =
    options.keyFile === undefined ? await newPrivateJwk() : await keptPrivateJwk(options.keyFile);
  const privateKey = await importJWK(privateJwk, TOKEN_ALGORITHM);
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks: Jwks = { keys: [{ ...publicJwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' }] };

  return {
    jwks,
    issue: ({ accountId, role, ttlS, name }) => {
      const iat = Math.floor(Date.now() / 1000);
      return new SignJWT(name === undefined ? { role } : { role, name })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: 'JWT' })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(accountId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlS)
        .sign(privateKey);
    },
  };
}

/** What a key file must hold: a P-256 private key (ES256) as a JWK. */
const KEPT_KEY = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
});

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  return exportJWK(privateKey);
}

/** The key in `file`, made and written there first when there is none. */
async function keptPrivateJwk(file: string): Promise<JWK> {
  const read = (): JWK => {
    const kept = KEPT_KEY.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!kept.success) throw new Error('not an ES256 private JWK');
    return kept.data;
  };
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `the development signing key ${file} cannot be read (${(error as Error).message}); delete it to make a new one`,
      );
    }
  }
  const jwk = await newPrivateJwk();
  mkdirSync(dirname(file), { recursive: true });
  // Written aside, then linked into place: linking fails if another process got there first,
  // and then its key is the one to use (both would otherwise sign with different keys).
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(jwk)}\n`, { mode: 0o600 });
  try {
    linkSync(aside, file);
    return jwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return read();
  } finally {
    rmSync(aside, { force: true });
  }
}
