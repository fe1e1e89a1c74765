import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { encodeGlobalId } from '../../src/schema/global-id.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';

/**
 * A corpus of hostile and malformed requests. Each is refused at the door with its code and
 * status, and the services count zero calls for it: the refusal happens before any resolver.
 * Every request carries a valid token, so nothing is refused merely for want of a caller.
 */

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  token = await harness.token('acc_0001', 'DISPATCHER');
  // Fetches the token keys once, so the JWKS read does not count in the tests below.
  await harness.graphql('{ viewer { id } }', { token });
});
afterAll(() => harness.close());

const NO_CALLS = { accounts: 0, deliveries: 0, packages: 0, drones: 0, payments: 0 };

interface Answer {
  status: number;
  headers: Headers;
  body: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | null;
}

/** Sends a request as given (method, headers, body) to /graphql, after zeroing the stats. */
async function send(init: RequestInit & { search?: string }): Promise<Answer> {
  await harness.reset();
  const answer = await fetch(`${harness.server.url}/graphql${init.search ?? ''}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/graphql-response+json',
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await answer.text();
  return { status: answer.status, headers: answer.headers, body: text ? JSON.parse(text) : null };
}

const post = (query: string, variables?: Record<string, unknown>) =>
  send({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });

const codes = (answer: Answer) => answer.body?.errors?.map((e) => e.extensions?.code) ?? [];

async function expectNoUpstreamCall() {
  expect(await harness.callCounts()).toEqual(NO_CALLS);
}

/** `{ viewer { deliveries { edges { node { owner { deliveries … { id } … } } } } } }` */
function nested(levels: number): string {
  let selection = 'id';
  for (let i = 0; i < levels; i++) {
    selection = `owner { deliveries(first: 1) { edges { node { ${selection} } } } }`;
  }
  return `{ deliveries(first: 1) { edges { node { ${selection} } } } }`;
}

describe('query shape', () => {
  it('deep nesting is QUERY_TOO_COMPLEX (DEPTH)', async () => {
    const answer = await post(nested(3));
    expect(answer.status).toBe(400);
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      reason: 'DEPTH',
      limit: 10,
    });
    await expectNoUpstreamCall();
  });

  it('a nesting of a hundred levels is refused just the same', async () => {
    const answer = await post(nested(100));
    expect(codes(answer)).toContain('QUERY_TOO_COMPLEX');
    await expectNoUpstreamCall();
  });

  it('an alias bomb is QUERY_TOO_COMPLEX (ALIASES)', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const answer = await post(`{ ${aliases} }`);
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      reason: 'ALIASES',
      limit: 30,
    });
    await expectNoUpstreamCall();
  });

  it('a thousand aliases stop at the token limit, before validation', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const answer = await post(`{ ${aliases} }`);
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      reason: 'TOKENS',
    });
    await expectNoUpstreamCall();
  });

  it('too many directives is QUERY_TOO_COMPLEX (DIRECTIVES)', async () => {
    const fields = Array.from({ length: 21 }, () => 'id @include(if: true)').join(' ');
    const answer = await post(`{ viewer { ${fields} } }`);
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      reason: 'DIRECTIVES',
      limit: 20,
    });
    await expectNoUpstreamCall();
  });

  it('a fragment cycle is GRAPHQL_VALIDATION_FAILED, and nothing loops', async () => {
    const answer = await post(`{ viewer { ...A } }
      fragment A on Account { deliveries { edges { node { owner { ...B } } } } }
      fragment B on Account { ...A }`);
    expect(answer.status).toBe(400);
    expect(codes(answer)).toContain('GRAPHQL_VALIDATION_FAILED');
    await expectNoUpstreamCall();
  });

  it('fragments that double at each step (a billion laughs) are refused', async () => {
    const fragments = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i + 1} on Account { ...F${i} ...F${i} }`,
    ).join('\n');
    const answer = await post(`{ viewer { ...F30 } } fragment F0 on Account { id name }
      ${fragments}`);
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    await expectNoUpstreamCall();
  });

  it('a huge `first` is BAD_USER_INPUT', async () => {
    const answer = await post(operation('DispatchBoard'), { first: 1_000_000 });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    await expectNoUpstreamCall();
  });

  it('an operation over the cost limit is QUERY_TOO_COMPLEX (COST)', async () => {
    const answer = await post(`{ deliveries(first: 100) { edges { node { owner {
      deliveries(first: 100) { edges { node { id } } } } } } } }`);
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      reason: 'COST',
      limit: 1000,
    });
    await expectNoUpstreamCall();
  });
});

describe('size', () => {
  it('a 10 MB body is 413 QUERY_TOO_COMPLEX (BODY_SIZE), refused by its length', async () => {
    const query = `{ viewer { id } } # ${'x'.repeat(10 * 1024 * 1024)}`;
    const answer = await post(query);
    expect(answer.status).toBe(413);
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      reason: 'BODY_SIZE',
      limit: 102_400,
    });
    await expectNoUpstreamCall();
  });

  it('a body streamed without a length is cut off at the limit', async () => {
    const chunk = new TextEncoder().encode(`${' '.repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"query":"{ viewer { id } }'));
        if (sent++ < 160) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(answer.status).toBe(413);
    expect(codes(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    await expectNoUpstreamCall();
  });

  it('a query of 50,000 tokens is QUERY_TOO_COMPLEX (TOKENS)', async () => {
    // Under the body limit (about 100 kB), so the parser's token limit is what stops it.
    const answer = await post(`{ viewer(x: [${'1 '.repeat(50_000)}]) { id } }`);
    expect(answer.status).toBe(400);
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      reason: 'TOKENS',
      limit: 2000,
    });
    await expectNoUpstreamCall();
  });

  it('a batch of 1,000 operations is refused: batching is off', async () => {
    const batch = Array.from({ length: 1000 }, () => ({ query: '{ viewer { id } }' }));
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['BAD_REQUEST']);
    await expectNoUpstreamCall();
  });
});

describe('malformed requests', () => {
  it('invalid JSON is 400 BAD_REQUEST', async () => {
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ viewer { id } }"',
    });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['BAD_REQUEST']);
    await expectNoUpstreamCall();
  });

  it('a null byte in the query is GRAPHQL_PARSE_FAILED', async () => {
    const answer = await post('{ viewer { id\u0000 } }');
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['GRAPHQL_PARSE_FAILED']);
    await expectNoUpstreamCall();
  });

  it('invalid UTF-8 in the query is GRAPHQL_PARSE_FAILED', async () => {
    const body = Buffer.concat([
      Buffer.from('{"query": "{ viewer { id '),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from(' } }"}'),
    ]);
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['GRAPHQL_PARSE_FAILED']);
    await expectNoUpstreamCall();
  });

  it('variables that are not an object are 400', async () => {
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { id } }', variables: [1, 2] }),
    });
    expect(answer.status).toBe(400);
    await expectNoUpstreamCall();
  });
});

describe('GraphQL over HTTP', () => {
  it('a content type the server does not read is 415', async () => {
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<query>{ viewer { id } }</query>',
    });
    expect(answer.status).toBe(415);
    await expectNoUpstreamCall();
  });

  it('multipart (file uploads) is not read: 415', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: '{ viewer { id } }' }));
    const answer = await send({
      method: 'POST',
      headers: { 'x-graphql-yoga-csrf': '1' },
      body: form,
    });
    expect(answer.status).toBe(415);
    await expectNoUpstreamCall();
  });

  it('a mutation over GET is 405 with Allow: POST', async () => {
    const query =
      'mutation { cancelDelivery(input: { idempotencyKey: "k", deliveryId: "x" }) { delivery { id } } }';
    const answer = await send({
      method: 'GET',
      search: `?query=${encodeURIComponent(query)}`,
      headers: { 'x-graphql-yoga-csrf': '1' },
    });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    await expectNoUpstreamCall();
  });

  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    it(`${method} is 405`, async () => {
      const answer = await send({
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      });
      expect(answer.status).toBe(405);
      await expectNoUpstreamCall();
    });
  }
});

describe('CSRF', () => {
  const GET = `?query=${encodeURIComponent('{ viewer { id } }')}`;

  it('a GET without a preflight header (what an <img> or a link sends) is 403', async () => {
    const answer = await send({ method: 'GET', search: GET });
    expect(answer.status).toBe(403);
    await expectNoUpstreamCall();
  });

  it('a form-encoded POST (what an HTML form sends) is 403', async () => {
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: '{ viewer { id } }' }).toString(),
    });
    expect(answer.status).toBe(403);
    await expectNoUpstreamCall();
  });

  it('a text/plain POST is 403', async () => {
    const answer = await send({
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(answer.status).toBe(403);
    await expectNoUpstreamCall();
  });

  it('a GET with a preflight header is answered', async () => {
    const answer = await send({
      method: 'GET',
      search: GET,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body?.errors).toBeUndefined();
  });
});

describe('in production', () => {
  let production: Harness;
  beforeAll(async () => {
    production = await startHarness({ NODE_ENV: 'production' });
  });
  afterAll(() => production.close());

  it('an unknown field is refused without suggesting the real names', async () => {
    await production.reset();
    const { status, body } = await production.graphql(
      '{ viewr { id } deliveries(frist: 2) { edges { node { id } } } }',
      { token },
    );
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(body.errors?.map((e) => e.message).join(' ')).not.toMatch(/did you mean|viewer|first/i);
    expect(await production.callCounts()).toEqual(NO_CALLS);
  });

  it('an unknown enum value is refused without listing the values', async () => {
    const { body } = await production.graphql(
      '{ deliveries(status: IN_TRANSI) { edges { node { id } } } }',
      { token },
    );
    expect(body.errors?.[0]?.message).not.toMatch(/did you mean|IN_TRANSIT/i);
  });

  it('introspection is refused', async () => {
    await production.reset();
    const { status, body } = await production.graphql('{ __schema { types { name } } }');
    expect(status).toBe(400);
    expect(new Set(body.errors?.map((e) => e.extensions?.code))).toEqual(
      new Set(['GRAPHQL_VALIDATION_FAILED']),
    );
    expect(body.errors?.[0]?.message).toMatch(/introspection/i);
    expect(await production.callCounts()).toEqual(NO_CALLS);
  });

  it('outside production both help developers', async () => {
    const { body } = await harness.graphql('{ viewr { id } }', { token });
    expect(body.errors?.[0]?.message).toMatch(/Did you mean "viewer"\?/);
    const introspection = await harness.graphql('{ __schema { queryType { name } } }');
    expect(introspection.body.errors).toBeUndefined();
  });
});

describe('hostile variables, in production', () => {
  // The log the BFF writes, captured: a hostile request must not fill it.
  const log: string[] = [];
  let production: Harness;
  let dispatcher: string;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log.push(chunk.toString());
        done();
      },
    });
    production = await startHarness(
      { NODE_ENV: 'production' },
      { logger: createLogger('info', sink) },
    );
    dispatcher = await production.token('acc_0001', 'DISPATCHER');
  });
  afterAll(() => production.close());

  const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }';
  async function sendVariables(variables: string) {
    const answer = await fetch(`${production.server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${dispatcher}`,
      },
      body: `{"query": ${JSON.stringify(NODES)}, "variables": ${variables}}`,
    });
    return { status: answer.status, body: (await answer.json()) as Answer['body'] };
  }

  const shapes: Array<[string, string, RegExp]> = [
    ['a list nested 40,000 deep', `{"ids": ${'['.repeat(40_000)}${']'.repeat(40_000)}}`, /deep/],
    [
      'an object of 5,000 keys',
      JSON.stringify({ ids: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [i, 1])) }),
      /keys/,
    ],
    [
      '10,000 ids',
      JSON.stringify({ ids: Array.from({ length: 10_000 }, (_, i) => String(i)) }),
      /values/,
    ],
  ];
  for (const [name, variables, problem] of shapes) {
    it(`${name} is 400 BAD_USER_INPUT, with no call, no stack and one log line per request`, async () => {
      await production.reset();
      await new Promise<void>((resolve) => production.server.skyway.logger.flush(() => resolve()));
      log.length = 0;
      for (let i = 0; i < 20; i++) {
        const answer = await sendVariables(variables);
        expect(answer.status).toBe(400);
        expect(answer.body?.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
        expect(answer.body?.errors?.[0]?.message).toMatch(problem);
      }
      expect(await production.callCounts()).toEqual(NO_CALLS);
      await new Promise<void>((resolve) => production.server.skyway.logger.flush(() => resolve()));
      const text = log.join('');
      expect(text).not.toMatch(/RangeError|stack/);
      expect(text.split('\n').filter(Boolean)).toHaveLength(20);
      expect(text.length).toBeLessThan(20 * 1024);
    });
  }

  it('a misspelled enum value or input field in the variables is refused without suggestions', async () => {
    const { body } = await production.graphql(
      'query ($s: DeliveryStatus) { deliveries(status: $s) { edges { node { id } } } }',
      { token: dispatcher, variables: { s: 'IN_TRANSI' } },
    );
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/IN_TRANSI/);
    expect(body.errors?.[0]?.message).not.toMatch(/did you mean|IN_TRANSIT/i);

    const misspelt = await production.graphql(
      'mutation ($input: CancelDeliveryInput!) { cancelDelivery(input: $input) { delivery { id } } }',
      { token: dispatcher, variables: { input: { deliveryId: 'x', idempotencyKe: 'k-1' } } },
    );
    expect(new Set(misspelt.body.errors?.map((e) => e.extensions?.code))).toEqual(
      new Set(['BAD_USER_INPUT']),
    );
    const messages = misspelt.body.errors?.map((e) => e.message).join(' ');
    expect(messages).toMatch(/idempotencyKe\b/);
    expect(messages).not.toMatch(/did you mean/i);
  });

  it('@stream with a negative or null initialCount is BAD_USER_INPUT, no call, no stack', async () => {
    await production.reset();
    await new Promise<void>((resolve) => production.server.skyway.logger.flush(() => resolve()));
    log.length = 0;
    const nodes = (initialCount: string) =>
      `query ${initialCount === '$n' ? '($n: Int) ' : ''}{ nodes(ids: ["${encodeGlobalId('Drone', 'drn_001')}"]) @stream(initialCount: ${initialCount}) { id } }`;
    for (const [document, variables] of [
      [nodes('-1'), {}],
      [nodes('null'), {}],
      [nodes('$n'), { n: -5 }],
      [nodes('$n'), { n: null }],
    ] as const) {
      const { body } = await production.graphql(document, {
        variables,
        // Accepting parts, so the stream is not dropped for this client (use-defer-fallback.ts).
        headers: { accept: 'application/json, multipart/mixed' },
      });
      expect(
        body.errors?.map((e) => e.extensions?.code),
        JSON.stringify(body),
      ).toEqual(['BAD_USER_INPUT']);
      expect(body.errors?.[0]?.message).toMatch(/initialCount/);
    }
    expect(await production.callCounts()).toEqual(NO_CALLS);
    await new Promise<void>((resolve) => production.server.skyway.logger.flush(() => resolve()));
    expect(log.join('')).not.toMatch(/stack|INTERNAL_SERVER_ERROR|node_modules/);
  });

  it('a hostile shape is 400 to a legacy application/json client too', async () => {
    const answer = await fetch(`${production.server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${dispatcher}`,
      },
      body: JSON.stringify({ query: NODES, variables: { ids: [[[[[[[[[[['x']]]]]]]]]]] } }),
    });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as NonNullable<Answer['body']>;
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it("variables of the apps' shape still run", async () => {
    const ids = ['del_000001', 'del_000002'].map((id) => encodeGlobalId('Delivery', id));
    const answer = await sendVariables(JSON.stringify({ ids }));
    expect(answer.status).toBe(200);
    expect(answer.body?.errors).toBeUndefined();
  });

  it('invalid JSON is 400 and does not echo the body back', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const answer = await fetch(`${production.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: '{"query": "{ viewer { id } }", "password": "hunter2"',
      });
      const text = await answer.text();
      expect(answer.status).toBe(400);
      expect(JSON.parse(text).errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
      expect(text).not.toMatch(/hunter2|originalError/);
    }
  });
});

describe('response keys', () => {
  it('an alias named __proto__ keeps its place in selection order, compiled or not', async () => {
    const query = '{ __proto__: viewer { id } a: viewer { id } }';
    for (let run = 0; run < 3; run++) {
      const answer = await post(query);
      const data = (answer.body as { data?: Record<string, unknown> }).data ?? {};
      expect(Object.keys(data)).toEqual(['__proto__', 'a']);
    }
  });
});

describe('bad tokens', () => {
  const send = (authorization?: string) =>
    fetch(`${harness.server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    }).then((answer) => answer.json() as Promise<Answer['body'] & { data?: unknown }>);

  it('a garbage, expired or forged token: the viewer is null and the answer says UNAUTHENTICATED', async () => {
    const [header, payload] = token.split('.');
    const expired = await harness.token('acc_0001', 'CUSTOMER', -60);
    for (const bad of [
      'Bearer %%%',
      `Bearer ${expired}`,
      `Bearer ${header}.${payload}.c2lnbmF0dXJl`,
    ]) {
      await harness.reset();
      const body = await send(bad);
      expect(body.data).toEqual({ viewer: null });
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      await expectNoUpstreamCall();
    }
  });

  it('no token: the viewer is null, with no error', async () => {
    expect(await send()).toEqual({ data: { viewer: null } });
  });
});

describe('cross-origin', () => {
  it('by default no origin is allowed, preflight or not, and credentials never are', async () => {
    const preflight = await fetch(`${harness.server.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const simple = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('hostile headers', () => {
  // In production, with the log at info as deployed, read line by line.
  const lines: string[] = [];
  let logged: Harness;
  let dispatcher: string;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    logged = await startHarness({ NODE_ENV: 'production' }, { logger: createLogger('info', sink) });
    dispatcher = await logged.token('acc_0001', 'DISPATCHER');
  });
  afterAll(() => logged.close());

  const HOSTILE_NAME =
    'victim@example.com Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhY2NfMDAwMSJ9.c2ln';

  it.each(['x-client-name', 'apollographql-client-name'])(
    'an e-mail and a token in %s reach neither the log nor /metrics: the client is `other`',
    async (header) => {
      lines.length = 0;
      // A deprecated field: the one use counted per client name.
      const { status, body } = await logged.graphql(
        '{ deliveries(first: 1) { edges { node { package { weight } } } } }',
        { token: dispatcher, headers: { [header]: HOSTILE_NAME, 'x-request-id': HOSTILE_NAME } },
      );
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const metrics = await (await fetch(`${logged.server.metricsUrl}`)).text();
      for (const text of [lines.join('\n'), metrics]) {
        expect(text).not.toContain('victim@example.com');
        expect(text).not.toContain('eyJhbGciOiJSUzI1NiJ9');
        expect(text).not.toContain('Bearer');
      }
      const line = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'graphql request');
      expect(line).toMatchObject({ client: 'other', status: 200 });
      expect(metrics).toMatch(
        /skyway_deprecated_field_usage_total\{field="Package.weight",client="other"\} [1-9]/,
      );
    },
  );
});
