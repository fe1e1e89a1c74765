import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MockServices,
  startMockServices,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from '../../mock-services/index.js';
import { as, request } from './helpers.js';

let mocks: MockServices;
let jwks: ReturnType<typeof createRemoteJWKSet>;
beforeAll(async () => {
  mocks = await startMockServices({ seed: { accounts: 20, drones: 5 } });
  jwks = createRemoteJWKSet(new URL(`${mocks.urls.accounts}/.well-known/jwks.json`));
});
afterAll(() => mocks.close());

async function mint(body: object) {
  return request(`${mocks.urls.accounts}/v1/tokens`, { method: 'POST', body });
}

const verify = (token: string) =>
  jwtVerify(token, jwks, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE });

describe('POST /v1/tokens', () => {
  it('mints an ES256 token that verifies against the JWKS, valid for an hour', async () => {
    const answer = await mint({ accountId: 'acc_0007', role: 'DISPATCHER' });
    expect(answer.status).toBe(201);
    const { token } = as<{ token: string }>(answer.body);
    const { payload, protectedHeader } = await verify(token);
    expect(payload).toMatchObject({
      iss: 'skyway-accounts',
      aud: 'skyway-bff',
      sub: 'acc_0007',
      role: 'DISPATCHER',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(protectedHeader.alg).toBe('ES256');

    const keys = as<{ keys: { kid: string; alg: string; use: string }[] }>(
      (await request(`${mocks.urls.accounts}/.well-known/jwks.json`)).body,
    ).keys;
    expect(keys).toEqual([
      expect.objectContaining({ kid: decodeProtectedHeader(token).kid, alg: 'ES256', use: 'sig' }),
    ]);
  });

  it('mints an expired token for a negative ttlS', async () => {
    const { token } = as<{ token: string }>(
      (await mint({ accountId: 'acc_0001', role: 'CUSTOMER', ttlS: -60 })).body,
    );
    await expect(verify(token)).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it('refuses unknown accounts, roles and ttlS out of range', async () => {
    expect((await mint({ accountId: 'acc_0999', role: 'CUSTOMER' })).status).toBe(404);
    expect((await mint({ accountId: 'acc_0001', role: 'ADMIN' })).status).toBe(400);
    expect((await mint({ accountId: 'acc_0001', role: 'CUSTOMER', ttlS: 86_401 })).status).toBe(
      400,
    );
    expect((await mint({ accountId: 'acc_0001', role: 'CUSTOMER', ttlS: 1.5 })).status).toBe(400);
  });

  it('signs tokens another service instance cannot have forged', async () => {
    const other = await startMockServices({ seed: { accounts: 5, drones: 1 } });
    try {
      const answer = await request(`${other.urls.accounts}/v1/tokens`, {
        method: 'POST',
        body: { accountId: 'acc_0001', role: 'CUSTOMER' },
      });
      await expect(verify(as<{ token: string }>(answer.body).token)).rejects.toThrow();
    } finally {
      await other.close();
    }
  });
});
