import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/** Bearer tokens, verified against the accounts service's JWKS, through the BFF. */

let harness: Harness;
let ownerId: string;
let valid: string;

beforeAll(async () => {
  harness = await startHarness();
  ownerId = await accountWithDeliveries(harness, 5);
  valid = await harness.token(ownerId);
});
afterAll(() => harness.close());

const VIEWER = '{ viewer { id name } }';
const NEEDS_CALLER = `query ($id: ID!) { node(id: $id) { id } }`;

function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  claims.role = 'DISPATCHER';
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

function unsigned(token: string): string {
  const [, payload] = token.split('.') as [string, string];
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${payload}.`;
}

describe('bearer tokens', () => {
  it('a valid token makes its subject the viewer', async () => {
    const { body } = await harness.graphql<{ viewer: { id: string } }>(VIEWER, { token: valid });
    expect(body.errors).toBeUndefined();
    expect(body.data?.viewer.id).toBe(encodeGlobalId('Account', ownerId));
  });

  it('without a token the viewer is null, without an error', async () => {
    const { status, body } = await harness.graphql(VIEWER);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { viewer: null } });
  });

  const faults: Array<[string, () => Promise<string>]> = [
    ['forged (claims changed after signing)', async () => tamper(valid)],
    ['unsigned (alg none)', async () => unsigned(valid)],
    ['expired', () => harness.token(ownerId, 'CUSTOMER', -60)],
    ['malformed', async () => 'not.a.jwt'],
    ['garbage', async () => '%%%'],
  ];
  for (const [name, make] of faults) {
    it(`a ${name} token gives a null viewer that says UNAUTHENTICATED, and UNAUTHENTICATED where a caller is needed`, async () => {
      const token = await make();
      const viewer = await harness.graphql(VIEWER, { token });
      expect(viewer.status).toBe(200);
      expect(viewer.body.data).toEqual({ viewer: null });
      expect(viewer.body.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
        ['UNAUTHENTICATED', ['viewer']],
      ]);
      const needy = await harness.graphql(NEEDS_CALLER, {
        token,
        variables: { id: encodeGlobalId('Delivery', 'del_000001') },
      });
      expect(needy.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    });
  }

  it('a non-bearer Authorization header is refused like a bad token', async () => {
    const { body } = await harness.graphql(NEEDS_CALLER, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
      variables: { id: encodeGlobalId('Delivery', 'del_000001') },
    });
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('MyDeliveries without a token answers a null viewer and calls no upstream', async () => {
    await harness.reset();
    const { body } = await harness.graphql(operation('MyDeliveries'));
    expect(body).toEqual({ data: { viewer: null } });
    expect(Object.values(await harness.callCounts()).reduce((a, b) => a + b)).toBe(0);
  });
});

describe('verified-token cache', () => {
  it('answers a token it has verified the same way, and does not let an altered copy through', async () => {
    const first = await harness.graphql(VIEWER, { token: valid });
    const again = await harness.graphql(VIEWER, { token: valid });
    expect(again.body).toEqual(first.body);
    // A token altered after signing is still refused: the cache is keyed by the exact text.
    const forged = await harness.graphql(NEEDS_CALLER, {
      token: tamper(valid),
      variables: { id: encodeGlobalId('Delivery', 'del_000001') },
    });
    expect(forged.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
