import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  PersistedDocumentsError,
  parsePersistedDocuments,
  sha256Hex,
} from '../../src/plugins/persisted-documents-manifest.js';
import { createSkyway } from '../../src/yoga.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { hashOf, MANIFEST } from '../helpers/persisted.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/**
 * Trusted documents through the BFF over real sockets, in each mode of PERSISTED_DOCUMENTS:
 * requests by hash in Apollo's APQ shape and the `documentId` shape, over POST and GET, and
 * what each mode refuses, with the code and status an app reads and no upstream call made.
 */

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

const MY_DELIVERIES = hashOf('MyDeliveries');
const UNKNOWN = sha256Hex('query Unknown { viewer { id } }');
const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function post(harness: Harness, body: Record<string, unknown>, token?: string) {
  const answer = await fetch(`${harness.server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: answer.status, body: (await answer.json()) as Answer['body'] };
}

async function get(harness: Harness, search: Record<string, string>, token?: string) {
  const answer = await fetch(`${harness.server.url}/graphql?${new URLSearchParams(search)}`, {
    headers: {
      accept: 'application/graphql-response+json',
      // A GET must show it is not a forged cross-site request (CSRF prevention).
      'x-graphql-yoga-csrf': '1',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
  });
  return { status: answer.status, body: (await answer.json()) as Answer['body'] };
}

const codes = (answer: Answer) => answer.body.errors?.map((error) => error.extensions?.code);

/** The viewer's id in a MyDeliveries answer, or undefined. */
const viewerOf = (answer: Answer) =>
  (answer.body.data?.viewer as { id: string; deliveries: { edges: unknown[] } } | undefined) ??
  undefined;

async function startWith(mode: string) {
  const harness = await startHarness({ PERSISTED_DOCUMENTS: mode });
  const accountId = await accountWithDeliveries(harness, 3);
  return { harness, token: await harness.token(accountId) };
}

describe('PERSISTED_DOCUMENTS=off (the default)', () => {
  let harness: Harness;
  let token: string;
  beforeAll(async () => {
    ({ harness, token } = await startWith('off'));
  });
  afterAll(() => harness.close());

  it('runs document text', async () => {
    const answer = await post(harness, { query: operation('MyDeliveries') }, token);
    expect(answer.status).toBe(200);
    expect(viewerOf(answer)?.deliveries.edges.length).toBeGreaterThan(0);
  });

  it('refuses a hash alone with PERSISTED_QUERY_NOT_SUPPORTED, so APQ clients fall back to text', async () => {
    for (const body of [{ extensions: apq(MY_DELIVERIES) }, { documentId: MY_DELIVERIES }]) {
      const answer = await post(harness, body, token);
      expect(answer.status).toBe(400);
      expect(codes(answer)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    }
  });

  it('runs the text when a hash comes with it', async () => {
    const answer = await post(
      harness,
      { query: operation('MyDeliveries'), extensions: apq(UNKNOWN) },
      token,
    );
    expect(answer.status).toBe(200);
    expect(viewerOf(answer)).toBeTruthy();
  });
});

describe('PERSISTED_DOCUMENTS=allow', () => {
  let harness: Harness;
  let token: string;
  beforeAll(async () => {
    ({ harness, token } = await startWith('allow'));
  });
  afterAll(() => harness.close());

  it("runs the manifest's document for a hash in the APQ shape", async () => {
    const byHash = await post(harness, { extensions: apq(MY_DELIVERIES) }, token);
    const byText = await post(harness, { query: MANIFEST.get(MY_DELIVERIES) }, token);
    expect(byHash.status).toBe(200);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual(byText.body.data);
  });

  it('runs it for `documentId`, with or without the sha256: prefix, in any case', async () => {
    for (const documentId of [
      `sha256:${MY_DELIVERIES}`,
      MY_DELIVERIES,
      MY_DELIVERIES.toUpperCase(),
    ]) {
      const answer = await post(harness, { documentId, variables: { first: 2 } }, token);
      expect(answer.status).toBe(200);
      expect(viewerOf(answer)?.deliveries.edges).toHaveLength(2);
    }
  });

  it('runs a hash sent over GET in either shape (cacheable by a CDN)', async () => {
    const viaExtensions = await get(
      harness,
      { extensions: JSON.stringify(apq(MY_DELIVERIES)), variables: '{"first":1}' },
      token,
    );
    const viaDocumentId = await get(
      harness,
      { documentId: `sha256:${MY_DELIVERIES}`, variables: '{"first":1}' },
      token,
    );
    for (const answer of [viaExtensions, viaDocumentId]) {
      expect(answer.status).toBe(200);
      expect(viewerOf(answer)?.deliveries.edges).toHaveLength(1);
    }
  });

  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND (404) without calling an upstream', async () => {
    await harness.reset();
    const answer = await post(harness, { extensions: apq(UNKNOWN) }, token);
    expect(answer.status).toBe(404);
    expect(codes(answer)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(answer.body.data).toBeUndefined();
    expect(Object.values(await harness.callCounts())).toEqual([0, 0, 0, 0, 0]);
  });

  it('runs text, also when an APQ client retries an unknown hash with the text', async () => {
    const plain = await post(harness, { query: operation('MyDeliveries') }, token);
    const retried = await post(
      harness,
      { query: operation('MyDeliveries'), extensions: apq(UNKNOWN) },
      token,
    );
    expect(viewerOf(plain)).toBeTruthy();
    expect(retried.body.data).toEqual(plain.body.data);
  });
});

describe('PERSISTED_DOCUMENTS=require', () => {
  let harness: Harness;
  let token: string;
  beforeAll(async () => {
    ({ harness, token } = await startWith('require'));
  });
  afterAll(() => harness.close());

  it('runs the manifest documents by hash, in both shapes', async () => {
    const apqShape = await post(harness, { extensions: apq(MY_DELIVERIES) }, token);
    const documentIdShape = await post(harness, { documentId: `sha256:${MY_DELIVERIES}` }, token);
    expect(apqShape.status).toBe(200);
    expect(viewerOf(apqShape)?.deliveries.edges.length).toBeGreaterThan(0);
    expect(documentIdShape.body.data).toEqual(apqShape.body.data);
  });

  it('refuses an unknown hash with PERSISTED_QUERY_NOT_FOUND (404) without calling an upstream', async () => {
    await harness.reset();
    for (const body of [{ extensions: apq(UNKNOWN) }, { documentId: `sha256:${UNKNOWN}` }]) {
      const answer = await post(harness, body, token);
      expect(answer.status).toBe(404);
      expect(codes(answer)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    }
    expect(Object.values(await harness.callCounts())).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses document text with PERSISTED_QUERY_REQUIRED (400), even a shipped one', async () => {
    await harness.reset();
    const text = await post(harness, { query: operation('MyDeliveries') }, token);
    const textWithHash = await post(
      harness,
      {
        query: '{ deliveries(first: 100) { edges { node { id } } } }',
        extensions: apq(MY_DELIVERIES),
      },
      token,
    );
    const textOverGet = await get(harness, { query: '{ viewer { id } }' }, token);
    for (const answer of [text, textWithHash, textOverGet]) {
      expect(answer.status).toBe(400);
      expect(codes(answer)).toEqual(['PERSISTED_QUERY_REQUIRED']);
    }
    expect(Object.values(await harness.callCounts())).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses a request that names nothing', async () => {
    const answer = await post(harness, { variables: { first: 1 } }, token);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['PERSISTED_QUERY_REQUIRED']);
  });

  it('still refuses a persisted mutation over GET', async () => {
    const answer = await get(
      harness,
      { documentId: hashOf('CancelDelivery'), variables: '{"input":{}}' },
      token,
    );
    expect(answer.status).toBe(405);
  });

  it('keeps the usual errors of a persisted operation (here: no caller)', async () => {
    const answer = await post(harness, { documentId: MY_DELIVERIES });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ viewer: null });
  });
});

describe('the manifest', () => {
  it('holds every operation the apps ship, each keyed by the sha256 of its text', () => {
    expect(MANIFEST.size).toBeGreaterThanOrEqual(6);
    for (const [hash, document] of MANIFEST) expect(sha256Hex(document)).toBe(hash);
  });

  it('is refused at start when an entry was edited by hand', () => {
    const document = 'query A { viewer { id } }';
    expect(() =>
      parsePersistedDocuments({ [sha256Hex(document)]: `${document} # edited` }, 'm.json'),
    ).toThrow(/m\.json: [0-9a-f]{64} is not the sha256 of its document/);
    expect(() => parsePersistedDocuments({ abc: document }, 'm.json')).toThrow(
      /"abc" is not a sha256 hex/,
    );
    expect(() => parsePersistedDocuments({ [sha256Hex('{')]: '{' }, 'm.json')).toThrow(
      /does not parse/,
    );
    expect(() => parsePersistedDocuments([], 'm.json')).toThrow(PersistedDocumentsError);
  });

  it('stops the BFF from starting when it is missing or not JSON, naming the variable', () => {
    const notJson = join(tmpdir(), `skyway-manifest-${process.pid}.json`);
    writeFileSync(notJson, 'not json');
    for (const manifest of [join(tmpdir(), 'skyway-no-such-manifest.json'), notJson]) {
      const config = loadConfig({
        NODE_ENV: 'test',
        PERSISTED_DOCUMENTS: 'require',
        PERSISTED_DOCUMENTS_MANIFEST: manifest,
      });
      expect(() => createSkyway(config)).toThrow(/PERSISTED_DOCUMENTS_MANIFEST: cannot read/);
    }
  });

  it('is not read while persisted documents are off: a manifest that is not JSON stops nothing', async () => {
    const notJson = join(tmpdir(), `skyway-manifest-off-${process.pid}.json`);
    writeFileSync(notJson, 'not json');
    const env = { NODE_ENV: 'test', PERSISTED_DOCUMENTS_MANIFEST: notJson };
    // The same file stops a BFF that reads it…
    expect(() => createSkyway(loadConfig({ ...env, PERSISTED_DOCUMENTS: 'allow' }))).toThrow(
      /PERSISTED_DOCUMENTS_MANIFEST: cannot read/,
    );
    // …and not one with persisted documents off, which answers any document.
    const skyway = createSkyway(loadConfig({ ...env, PERSISTED_DOCUMENTS: 'off' }));
    try {
      const answer = await skyway.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await skyway.close();
    }
  });
});
