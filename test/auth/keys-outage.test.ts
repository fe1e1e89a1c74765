import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, KeysUnavailableError } from '../../src/auth/token-verifier.js';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type Harness, startHarness } from '../helpers/harness.js';

/** An issuer outage is an outage, not a mass logout. */

let harness: Harness;
let token: string;
let proxy: Server;
let proxyUrl: string;
let issuerDown = false;

beforeAll(async () => {
  // The BFF is given a JWKS address where nothing listens.
  harness = await startHarness({ AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' });
  token = await harness.token('acc_0001');
  // A JWKS endpoint that relays the accounts service's keys until the issuer "goes down".
  proxy = createServer(async (_request, response) => {
    if (issuerDown) {
      response.writeHead(503).end();
      return;
    }
    const keys = await fetch(`${harness.mocks.urls.accounts}/.well-known/jwks.json`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(await keys.text());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await harness.close();
});

describe('when the token keys cannot be fetched', () => {
  it('fields that need a caller say UPSTREAM_UNAVAILABLE (accounts), not UNAUTHENTICATED', async () => {
    const viewer = await harness.graphql('{ viewer { id } }', { token });
    expect(viewer.body.data).toEqual({ viewer: null });
    expect(viewer.body.errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: 'accounts',
      reason: 'CONNECTION',
    });
    const node = await harness.graphql('query ($id: ID!) { node(id: $id) { id } }', {
      token,
      variables: { id: encodeGlobalId('Delivery', 'del_000001') },
    });
    expect(node.body.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('without a token nothing changes: the viewer is simply null', async () => {
    expect((await harness.graphql('{ viewer { id } }')).body).toEqual({ data: { viewer: null } });
  });

  it('keeps verifying with the last keys it fetched while the issuer is down', async () => {
    issuerDown = false;
    const verify = createTokenVerifier({
      jwksUrl: proxyUrl,
      issuer: 'skyway-accounts',
      audience: 'skyway-bff',
      cacheMaxAgeMs: 0, // refetch on every verification, so the outage is felt at once
    });
    expect(await verify(`Bearer ${token}`)).toEqual({
      accountId: 'acc_0001',
      role: 'CUSTOMER',
      name: harness.mocks.data.accounts.get('acc_0001')?.name,
    });
    issuerDown = true;
    // Another token, so the signature is checked (not answered from the verified-token cache).
    const other = await harness.token('acc_0002');
    expect(await verify(`Bearer ${other}`)).toMatchObject({
      accountId: 'acc_0002',
      role: 'CUSTOMER',
    });
    issuerDown = false;
  });

  it('says the keys are unavailable when it never had any', async () => {
    issuerDown = true;
    const verify = createTokenVerifier({
      jwksUrl: proxyUrl,
      issuer: 'skyway-accounts',
      audience: 'skyway-bff',
    });
    await expect(verify(`Bearer ${token}`)).rejects.toBeInstanceOf(KeysUnavailableError);
    issuerDown = false;
  });
});
