import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { type Caller, ROLES } from './caller.js';

/**
 * Verifies bearer tokens against the issuer's published keys (JWKS). The key set is fetched
 * once, cached, and fetched again when a token names a key id it has not seen (key rotation).
 * Only asymmetric algorithms are accepted, so `alg: none` and HMAC-with-the-public-key tricks
 * fail like any forged token.
 */

export interface TokenVerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** Why a presented token was refused; never shown to clients beyond UNAUTHENTICATED. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

const Claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
});

export type TokenVerifier = (authorization: string | null) => Promise<Caller | null>;

const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: 30 * 1000, // 30s between refetches on unknown key ids
    cacheMaxAge: 10 * 60 * 1000, // 10min
  });

  /** Null without an Authorization header; the caller for a valid token; throws otherwise. */
  return async (authorization) => {
    if (authorization === null || authorization.trim() === '') return null;
    const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw new InvalidTokenError('Authorization is not a bearer token');
    try {
      const { payload } = await jwtVerify(match[1], keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      });
      const claims = Claims.safeParse(payload);
      if (!claims.success) throw new InvalidTokenError('token claims are not a Skyway caller');
      return { accountId: claims.data.sub, role: claims.data.role };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError(error.code);
      // The key set could not be fetched: the token can't be checked, so it isn't trusted.
      throw new InvalidTokenError('token could not be verified');
    }
  };
}
