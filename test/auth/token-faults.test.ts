import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTokenVerifier,
  InvalidTokenError,
  KeysUnavailableError,
} from '../../src/auth/token-verifier.js';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import {
  AUDIENCE,
  ISSUER,
  JwksServer,
  type KeyPair,
  now,
  publicJwk,
  sign,
} from '../helpers/token-issuer.js';

/**
 * Every way a bearer token can be wrong, against a JWKS this test publishes itself on a local
 * port (so it can sign with keys the issuer never had, rotate keys, and count fetches): each is
 * refused by the verifier, and through the BFF each is UNAUTHENTICATED, never a 500.
 */

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let jwks: JwksServer;
let issuerKey: KeyPair;
let strangerKey: KeyPair;

beforeAll(async () => {
  jwks = new JwksServer();
  await jwks.start();
  issuerKey = await generateKeyPair('ES256', { extractable: true });
  strangerKey = await generateKeyPair('ES256', { extractable: true });
  jwks.keys = [await publicJwk(issuerKey, 'k1')];
});
afterAll(() => jwks.close());
afterEach(() => vi.useRealTimers());

/** The faults, each a token the verifier must refuse. */
const FAULTS: Array<[string, () => Promise<string>]> = [
  ['expired', () => sign(issuerKey, 'k1', { exp: now() - 60 })],
  ['not yet valid (nbf in the future)', () => sign(issuerKey, 'k1', { nbf: now() + 600 })],
  ['for another audience', () => sign(issuerKey, 'k1', { aud: 'someone-else' })],
  ['from another issuer', () => sign(issuerKey, 'k1', { iss: 'evil-issuer' })],
  ['signed with a key the issuer never had, under its key id', () => sign(strangerKey, 'k1')],
  ['naming a key id the issuer does not publish', () => sign(strangerKey, 'unknown-kid')],
  ['with a role the BFF does not know', () => sign(issuerKey, 'k1', { role: 'ADMIN' })],
  [
    'whose subject holds a line break (it would go to every upstream as a header)',
    () => sign(issuerKey, 'k1', { sub: 'acc_0001\r\nx-evil: 1' }),
  ],
  ['whose subject is 257 characters long', () => sign(issuerKey, 'k1', { sub: 'a'.repeat(257) })],
  [
    'unsigned (alg: none)',
    async () =>
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'acc_0001', role: 'DISPATCHER', iss: ISSUER, aud: AUDIENCE, exp: now() + 3600 })}.`,
  ],
  [
    'HMAC-signed with the public key as the secret (algorithm confusion)',
    async () =>
      new SignJWT({ role: 'DISPATCHER' })
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .setSubject('acc_0001')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(await exportSPKI(issuerKey.publicKey))),
  ],
  [
    'without an expiry',
    () =>
      new SignJWT({ role: 'CUSTOMER' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('acc_0001')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(issuerKey.privateKey),
  ],
  ['malformed (three dots of nothing)', async () => '..'],
  ['malformed (not base64)', async () => 'a.b.c'],
  ['truncated', async () => (await sign(issuerKey, 'k1')).slice(0, -10)],
];

describe('the token verifier', () => {
  const verifier = () =>
    createTokenVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });

  it('accepts a token signed by a published key', async () => {
    const caller = await verifier()(`Bearer ${await sign(issuerKey, 'k1')}`);
    expect(caller).toEqual({ accountId: 'acc_0001', role: 'CUSTOMER' });
  });

  for (const [name, make] of FAULTS) {
    it(`refuses a token ${name}`, async () => {
      const verify = verifier();
      await expect(verify(`Bearer ${await make()}`)).rejects.toBeInstanceOf(InvalidTokenError);
    });
  }

  it('trusts no token while the JWKS cannot be fetched, and says the keys are unavailable', async () => {
    const verify = createTokenVerifier({
      jwksUrl: 'http://127.0.0.1:1/jwks.json',
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    await expect(verify(`Bearer ${await sign(issuerKey, 'k1')}`)).rejects.toBeInstanceOf(
      KeysUnavailableError,
    );
  });

  it('fetches the JWKS once and keeps it for every token after', async () => {
    const verify = verifier();
    const before = jwks.fetches;
    for (let i = 0; i < 10; i++) await verify(`Bearer ${await sign(issuerKey, 'k1')}`);
    expect(jwks.fetches - before).toBe(1);
  });

  it('fetches it once more for an unknown key id, not once per such token', async () => {
    const verify = verifier();
    await verify(`Bearer ${await sign(issuerKey, 'k1')}`);
    const before = jwks.fetches;
    for (let i = 0; i < 10; i++) {
      await expect(verify(`Bearer ${await sign(strangerKey, `made-up-${i}`)}`)).rejects.toThrow();
    }
    expect(jwks.fetches - before).toBeLessThanOrEqual(1);
  });

  it('picks up a rotated key when a token names it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = verifier();
    await verify(`Bearer ${await sign(issuerKey, 'k1')}`);
    const rotated = await generateKeyPair('ES256', { extractable: true });
    jwks.keys = [...jwks.keys, await publicJwk(rotated, 'k2')];
    try {
      // Past the 30 s between refetches that protects the issuer from made-up key ids.
      vi.setSystemTime(Date.now() + 31_000);
      const before = jwks.fetches;
      const caller = await verify(`Bearer ${await sign(rotated, 'k2')}`);
      expect(caller?.accountId).toBe('acc_0001');
      expect(jwks.fetches - before).toBe(1);
    } finally {
      jwks.keys = jwks.keys.filter((key) => key.kid !== 'k2');
    }
  });
});

describe('the verified-token cache', () => {
  const verifier = () =>
    createTokenVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });

  it('checks a token’s signature once while its key stays in the key set', async () => {
    const verify = verifier();
    const token = `Bearer ${await sign(issuerKey, 'k1')}`;
    const signatureChecks = vi.spyOn(crypto.subtle, 'verify');
    try {
      for (let i = 0; i < 5; i++) expect((await verify(token))?.accountId).toBe('acc_0001');
      expect(signatureChecks).toHaveBeenCalledTimes(1);
    } finally {
      signatureChecks.mockRestore();
    }
  });

  it('stops trusting a verified token once the key set fetched next no longer has its key', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = verifier();
    const token = `Bearer ${await sign(issuerKey, 'k1')}`;
    await verify(token);
    const published = jwks.keys;
    const replacement = await generateKeyPair('ES256', { extractable: true });
    // The issuer rotates: k1 now names another key.
    jwks.keys = [await publicJwk(replacement, 'k1')];
    try {
      // Still within the key set's age: the key in hand is the issuer's current one.
      vi.setSystemTime(Date.now() + 60_000);
      expect((await verify(token))?.accountId).toBe('acc_0001');
      // Past it (10 min): the key set is fetched again, and the token is checked against it.
      vi.setSystemTime(Date.now() + 10 * 60_000);
      await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
      await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    } finally {
      jwks.keys = published;
    }
  });

  it('does not trust a verified token past its expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = verifier();
    const token = `Bearer ${await sign(issuerKey, 'k1', { exp: now() + 120 })}`;
    await verify(token);
    vi.setSystemTime(Date.now() + 121_000);
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('through the BFF', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ AUTH_JWKS_URL: jwks.url });
  });
  afterAll(() => harness.close());

  const NEEDS_CALLER = 'query ($id: ID!) { node(id: $id) { id } }';
  const variables = { id: encodeGlobalId('Delivery', 'del_000001') };

  it('a valid token of our own issuer reaches the data', async () => {
    const { status, body } = await harness.graphql(NEEDS_CALLER, {
      token: await sign(issuerKey, 'k1', { role: 'DISPATCHER' }),
      variables,
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  for (const [name, make] of FAULTS) {
    it(`a token ${name} is UNAUTHENTICATED, not a 500`, async () => {
      const { status, body } = await harness.graphql(NEEDS_CALLER, {
        token: await make(),
        variables,
      });
      expect(status).toBe(200);
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    });
  }
});
