import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * The same token check as Skyway's (jose against the accounts service's JWKS: signature,
 * issuer, audience, expiry, asymmetric algorithms only): a perfect BFF still verifies tokens.
 */

export interface Caller {
  accountId: string;
  role: 'CUSTOMER' | 'DISPATCHER';
}

export type Verify = (authorization: string | undefined) => Promise<Caller | null>;

export function createVerifier(jwksUrl: string): Verify {
  const keys = createRemoteJWKSet(new URL(jwksUrl));
  return async (authorization) => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return null;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: 'skyway-accounts',
        audience: 'skyway-bff',
        algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        requiredClaims: ['exp', 'sub'],
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || (role !== 'CUSTOMER' && role !== 'DISPATCHER')) {
        return null;
      }
      return { accountId: payload.sub, role };
    } catch {
      return null;
    }
  };
}
