import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSED } from '../../src/plugins/use-operation-telemetry.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { metricTotal } from '../helpers/metric-total.js';

/**
 * Every refusal of the guarded entry (README's table, one row each) as a client and an
 * operator meet it: the answer carries `extensions.code`, and `/metrics` counts it once under
 * operation `refused` with that code, never as `INTERNAL_SERVER_ERROR`, which the SLO rules
 * read as the server's failure and can page for. (CORS refuses nothing itself: a browser
 * withholds the answer.)
 */

let harness: Harness;
let limitedToken: string;

beforeAll(async () => {
  harness = await startHarness({
    // Low enough for a small query to be over it; the bucket holds one such query at most,
    // and gets (almost) nothing back, so a second is refused.
    QUERY_MAX_COST: '50',
    RATE_LIMIT_STORE: 'memory',
    RATE_LIMIT_CAPACITY: '50',
    RATE_LIMIT_RESTORE_PER_S: '0.001',
    GRAPHQL_INTROSPECTION: 'false',
  });
  limitedToken = await harness.token('acc_0002', 'DISPATCHER');
});
afterAll(() => harness.close());

const JSON_TYPE = { 'content-type': 'application/json' };
const CSRF = { 'x-graphql-yoga-csrf': '1' };
const query = (text: string, variables?: unknown) => JSON.stringify({ query: text, variables });
const GET = (text: string) => `?query=${encodeURIComponent(text)}`;

interface Refusal {
  name: string;
  init: RequestInit & { search?: string };
  status: number;
  code: string;
}

function nestedList(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const refusals: Refusal[] = [
  {
    name: 'a method other than GET and POST',
    init: { method: 'PUT', headers: JSON_TYPE, body: query('{ __typename }') },
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a mutation over GET',
    init: {
      method: 'GET',
      search: GET(
        'mutation { cancelDelivery(input: { idempotencyKey: "k", deliveryId: "x" }) { delivery { id } } }',
      ),
      headers: CSRF,
    },
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a content type the server does not read',
    init: { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<query/>' },
    status: 415,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a text/plain POST with a preflight header',
    init: {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...CSRF },
      body: query('{ __typename }'),
    },
    status: 415,
    code: 'BAD_REQUEST',
  },
  {
    name: 'multipart (file uploads)',
    init: {
      method: 'POST',
      headers: CSRF,
      body: (() => {
        const form = new FormData();
        form.set('operations', query('{ __typename }'));
        return form;
      })(),
    },
    status: 415,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a GET without a preflight header (CSRF)',
    init: { method: 'GET', search: GET('{ __typename }') },
    status: 403,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a text/plain POST without a preflight header (CSRF)',
    init: {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: query('{ __typename }'),
    },
    status: 403,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a body over the limit',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query(`{ __typename } # ${'x'.repeat(200 * 1024)}`),
    },
    status: 413,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'variables nested too deep',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: nestedList(40) }),
    },
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a batch',
    init: { method: 'POST', headers: JSON_TYPE, body: `[${query('{ __typename }')}]` },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'invalid JSON',
    init: { method: 'POST', headers: JSON_TYPE, body: '{"query": "{ __typename }"' },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'too many tokens',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query(`{ __typename ${'a: __typename '.repeat(1000)}}`),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'too deep',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query(
        `{ viewer { ${'deliveries(first: 1) { edges { node { owner { '.repeat(3)}id${' } } } }'.repeat(3)} } }`,
      ),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'too many aliases',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query(`{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'too many directives',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query(`{ viewer { ${'id @include(if: true) '.repeat(21)}} }`),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'a page over 100',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query('{ deliveries(first: 101) { edges { node { id } } } }'),
    },
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a cost over the limit',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query('{ deliveries(first: 60) { edges { node { id } } } }'),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'introspection, turned off',
    init: {
      method: 'POST',
      headers: JSON_TYPE,
      body: query('{ __schema { queryType { name } } }'),
    },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
];

async function scrape(): Promise<string> {
  return (await fetch(`${harness.server.metricsUrl}`)).text();
}

interface Counted {
  status: number;
  /** The distinct codes of the answer's errors, in order. */
  codes: unknown[];
  delta: (name: string, labels: Record<string, string>) => number;
}

/** Sends a request as given and reads what it did to `/metrics`. */
async function sendCounted({ search = '', ...init }: Refusal['init']): Promise<Counted> {
  const before = await scrape();
  const answer = await fetch(`${harness.server.url}/graphql${search}`, {
    ...init,
    headers: { accept: 'application/graphql-response+json', ...(init.headers as object) },
  });
  const text = await answer.text();
  const body = (text ? JSON.parse(text) : {}) as {
    errors?: Array<{ extensions?: Record<string, unknown> }>;
  };
  const after = await scrape();
  return {
    status: answer.status,
    codes: [...new Set(body.errors?.map((error) => error.extensions?.code))],
    delta: (name, labels) => metricTotal(after, name, labels) - metricTotal(before, name, labels),
  };
}

describe('each refusal of the guarded entry', () => {
  for (const { name, init, status, code } of refusals) {
    it(`${name}: ${status} ${code}, counted as the client's`, async () => {
      const counted = await sendCounted(init);
      expect(counted.status).toBe(status);
      expect(counted.codes).toEqual([code]);
      expect(counted.delta('skyway_graphql_requests_total', { operation: REFUSED })).toBe(1);
      expect(counted.delta('skyway_graphql_errors_total', { operation: REFUSED, code })).toBe(1);
      expect(counted.delta('skyway_graphql_errors_total', { code: 'INTERNAL_SERVER_ERROR' })).toBe(
        0,
      );
    });
  }

  it('over the rate limit: 429 RATE_LIMITED, counted as the client’s', async () => {
    const headers = { ...JSON_TYPE, authorization: `Bearer ${limitedToken}` };
    // Runs, and is charged at least a point: the bucket no longer holds the limit's 50.
    const first = await sendCounted({ method: 'POST', headers, body: query('{ __typename }') });
    expect(first.status).toBe(200);
    const counted = await sendCounted({
      method: 'POST',
      headers,
      body: query('{ deliveries(first: 49) { edges { node { id } } } }'),
    });
    expect(counted.status).toBe(429);
    expect(counted.codes).toEqual(['RATE_LIMITED']);
    expect(counted.delta('skyway_graphql_requests_total', { operation: REFUSED })).toBe(1);
    expect(
      counted.delta('skyway_graphql_errors_total', { operation: REFUSED, code: 'RATE_LIMITED' }),
    ).toBe(1);
    expect(counted.delta('skyway_graphql_errors_total', { code: 'INTERNAL_SERVER_ERROR' })).toBe(0);
  });
});
