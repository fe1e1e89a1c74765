import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { LRUCache } from 'lru-cache';
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
  /** How long fetched keys are trusted before they are fetched again. */
  cacheMaxAgeMs?: number;
}

/** Why a presented token was refused; never shown to clients beyond UNAUTHENTICATED. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

const Claims = z.object({
  // The caller's account id, which goes to every upstream in `x-skyway-caller` and names the
  // caller's rate budget: printable ASCII without spaces, bounded. A subject with a line
  // break made every upstream call fail in undici (a CONNECTION failure, fed to the breaker).
  sub: z.string().regex(/^[\x21-\x7e]{1,256}$/),
  role: z.enum(ROLES),
  // Optional, and dropped rather than refused when odd: it is a display name, not a right.
  name: z.string().min(1).max(200).optional().catch(undefined),
});

/**
 * The keys could not be had (the issuer is down or slow): the token is neither valid nor
 * forged, the caller is unknown for now. Fields that need a caller say UPSTREAM_UNAVAILABLE
 * (accounts), not UNAUTHENTICATED, so apps don't log their users out over an outage.
 */
export class KeysUnavailableError extends Error {
  override name = 'KeysUnavailableError';
}

export type TokenVerifier = (authorization: string | null) => Promise<Caller | null>;

const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: 30 * 1000, // 30s between refetches on unknown key ids
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60 * 1000, // 10min
    timeoutDuration: 1000, // 1s, well inside a request's budget
  });
  // The last keys fetched, to verify with while a refetch fails: an issuer outage must not
  // turn every signed-in user into an anonymous one.
  let lastGood: { keys: JWTVerifyGetKey; at: number } | undefined;
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      const key = await remote(header, token);
      if (lastGood === undefined || Date.now() - lastGood.at > 60_000) {
        const fetched = remote.jwks();
        if (fetched) lastGood = { keys: createLocalJWKSet(fetched), at: Date.now() };
      }
      return key;
    } catch (error) {
      if (!keysUnreachable(error)) throw error;
      if (lastGood === undefined) throw new KeysUnavailableError('token keys could not be fetched');
      return lastGood.keys(header, token);
    }
  };

  // Tokens already verified, with their caller and the key that verified them: an ES256
  // signature check is the largest single cost of a request, and an app sends the same token
  // for an hour. A token is trusted again, without its signature checked, until it expires and
  // only while that key is still the one the issuer's current key set gives for it: the key
  // set is fetched again when it is older than `cacheMaxAge` or names an unknown key id, and
  // each fetch imports its keys anew, so a key rotated out (or replaced under the same id)
  // stops being honoured exactly when it would without this cache. Keyed by the exact token
  // text; bounded, the least recently used dropped first. Expiry is checked against `until`
  // rather than lru-cache's `ttl`, whose clock is `performance.now()`: `exp` is wall-clock time.
  // The token's header is kept as verified, so a cached token is never decoded again.
  const verified = new LRUCache<
    string,
    { caller: Caller; until: number; header: JWTHeaderParameters; key: unknown }
  >({ max: MAX_VERIFIED });
  /** The key the current key set gives for a verified token's header; undefined when none. */
  const currentKey = async (header: JWTHeaderParameters): Promise<unknown> => {
    try {
      return await keys(header, { payload: '', signature: '' });
    } catch {
      return undefined;
    }
  };

  /** Null without an Authorization header; the caller for a valid token; throws otherwise. */
  return async (authorization) => {
    if (authorization === null || authorization.trim() === '') return null;
    const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization.trim());
    const token = match?.[1];
    if (!token) throw new InvalidTokenError('Authorization is not a bearer token');
    const known = verified.get(token);
    if (
      known !== undefined &&
      known.until > Date.now() &&
      (await currentKey(known.header)) === known.key
    ) {
      return known.caller;
    }
    try {
      const { payload, protectedHeader, key } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      });
      const claims = Claims.safeParse(payload);
      if (!claims.success) throw new InvalidTokenError('token claims are not a Skyway caller');
      const caller: Caller = { accountId: claims.data.sub, role: claims.data.role };
      if (claims.data.name !== undefined) caller.name = claims.data.name;
      verified.set(token, {
        caller,
        until: (payload.exp ?? 0) * 1000,
        header: protectedHeader,
        key,
      });
      return caller;
    } catch (error) {
      if (error instanceof InvalidTokenError || error instanceof KeysUnavailableError) throw error;
      if (keysUnreachable(error)) throw new KeysUnavailableError('token keys could not be fetched');
      throw new InvalidTokenError(
        error instanceof joseErrors.JOSEError ? error.code : 'unverifiable',
      );
    }
  };
}

const MAX_VERIFIED = 10_000;

/** A failure to get the keys (network, timeout, a non-200 answer), not a fault of the token. */
function keysUnreachable(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSTimeout) return true;
  if (!(error instanceof joseErrors.JOSEError)) return true;
  return error.code === 'ERR_JOSE_GENERIC';
}
