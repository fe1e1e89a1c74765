// Development tokens of the accounts service: ES256 JWTs signed with a key pair made at
// start-up, whose public half is published as a JWKS. A restart makes a new key, which is what
// a BFF verifying against the JWKS URL must cope with anyway.

import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
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

export async function createTokenIssuer(): Promise<TokenIssuer> {
  const { publicKey, privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
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
