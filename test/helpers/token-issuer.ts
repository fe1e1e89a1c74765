import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, type generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * An issuer of the tests' own: a JWKS endpoint whose keys a test sets (so it can sign with
 * keys the issuer never had and rotate them), and tokens signed with them.
 */

export const ISSUER = 'skyway-accounts';
export const AUDIENCE = 'skyway-bff';

export type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * A JWKS endpoint counting how often it is fetched. `hold()` keeps every answer back until
 * the release it returns is called: a test can see a fetch begin and decide when it ends.
 */
export class JwksServer {
  fetches = 0;
  keys: JWK[] = [];
  #held: Promise<void> | null = null;
  readonly #server: Server = createServer((_request, response) => {
    this.fetches++;
    const answer = () => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: this.keys }));
    };
    if (this.#held === null) answer();
    else void this.#held.then(answer);
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks.json`;
  }

  /** Holds every answer from now on; the function returned lets them (and later ones) go. */
  hold(): () => void {
    let release = () => {};
    this.#held = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.#held = null;
      release();
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

export async function publicJwk(pair: KeyPair, kid: string): Promise<JWK> {
  return { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
}

export interface Claims {
  sub?: string;
  role?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
}

export const now = () => Math.floor(Date.now() / 1000);

export function sign(pair: KeyPair, kid: string, claims: Claims = {}): Promise<string> {
  const body = {
    sub: 'acc_0001',
    role: 'CUSTOMER',
    iss: ISSUER,
    aud: AUDIENCE,
    exp: now() + 3600,
    ...claims,
  };
  return new SignJWT({ role: body.role })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setSubject(body.sub)
    .setIssuer(body.iss)
    .setAudience(body.aud)
    .setIssuedAt()
    .setExpirationTime(body.exp)
    .setNotBefore(body.nbf ?? now() - 1)
    .sign(pair.privateKey);
}
