import { request } from 'node:http';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/global-id.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { JwksServer, type KeyPair, publicJwk, sign } from './helpers/token-issuer.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * The caller's token is checked from the moment a request's headers are in, while its body
 * is still arriving and its operation is parsed and validated (`context.ts`), and a request
 * refused before its context is built leaves nothing of that check behind.
 */

let jwks: JwksServer;
let key: KeyPair;
let harness: Harness;

beforeAll(async () => {
  jwks = new JwksServer();
  await jwks.start();
  key = await generateKeyPair('ES256', { extractable: true });
  jwks.keys = [await publicJwk(key, 'k1')];
  // A verifier of its own, which has never fetched the keys: the first token makes it.
  harness = await startHarness({ AUTH_JWKS_URL: jwks.url });
});
afterAll(async () => {
  await harness.close();
  await jwks.close();
});

/** Sends the head and the first `sentFirst` bytes of the body; `rest()` sends the others. */
function slowPost(url: string, token: string, body: string, sentFirst: number) {
  let rest = () => {};
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => {
          text += chunk;
        });
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.flushHeaders();
    outgoing.write(body.slice(0, sentFirst));
    rest = () => outgoing.end(body.slice(sentFirst));
  });
  return { answer, rest: () => rest() };
}

describe("the caller's token check", () => {
  it('starts while the body is still arriving, and the answer waits for it', async () => {
    const release = jwks.hold();
    const body = JSON.stringify({ query: '{ viewer { id } }' });
    const post = slowPost(
      `${harness.server.url}/graphql`,
      await sign(key, 'k1', { sub: 'acc_0001' }),
      body,
      10,
    );
    try {
      // The keys are asked for before the body is complete: the check began with the headers.
      await waitFor(async () => jwks.fetches === 1, { tries: 100, everyMs: 20 });
    } finally {
      post.rest();
      release();
    }
    const { status, text } = await post.answer;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({
      data: { viewer: { id: encodeGlobalId('Account', 'acc_0001') } },
    });
    expect(jwks.fetches).toBe(1);
  });

  it('leaves nothing behind for requests refused before their context', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const forged = `${(await sign(key, 'k1')).slice(0, -4)}AAAA`;
      const refused = [
        // not JSON, a query that does not parse, one that does not validate
        { body: '{"query":', status: 400 },
        { body: JSON.stringify({ query: '{ viewer { id ' }), status: 400 },
        { body: JSON.stringify({ query: '{ nope }' }), status: 400 },
      ];
      for (const { body, status } of refused) {
        const answer = await fetch(`${harness.server.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            authorization: `Bearer ${forged}`,
          },
          body,
        });
        expect(answer.status).toBe(status);
        await answer.text();
      }
      // The server still answers, and the forged token is still refused where it counts.
      const { body } = await harness.graphql('{ viewer { id } }', { token: forged });
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
