import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLIENTS, MAX_EXTRA_OPERATIONS } from '../../src/observability/labels.js';
import { MAX_CONNECTIONS, RENDER_REUSE_MS } from '../../src/observability/metrics-server.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';

/**
 * `/metrics` as an operator and an attacker meet it: on its own port, with the runtime's
 * metrics, a bounded number of series whatever names clients invent, no label for a refused
 * request, and a scrape storm that renders once a second however many scrapes arrive while the
 * public port answers every request.
 */

let harness: Harness;
let token: string;
let dispatcher: string;

beforeAll(async () => {
  // Trusted documents allowed: the manifest's operations are the known label values.
  harness = await startHarness({ PERSISTED_DOCUMENTS: 'allow' });
  token = await harness.token('acc_0001');
  dispatcher = await harness.token('acc_0001', 'DISPATCHER');
});
afterAll(() => harness.close());

const scrape = async (url = harness.server.metricsUrl): Promise<string> => {
  const answer = await fetch(`${url}`);
  expect(answer.status).toBe(200);
  return answer.text();
};

/** The distinct values of one label of one metric in Prometheus text. */
function labelValues(text: string, metric: string, label: string): Set<string> {
  const values = new Set<string>();
  const pattern = new RegExp(`^${metric}\\{[^}]*\\b${label}="([^"]*)"`);
  for (const line of text.split('\n')) {
    const value = pattern.exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

/** POSTs a query as an anonymous client with the given headers; the status. */
async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const answer = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  await answer.arrayBuffer();
  return answer.status;
}

describe('the metrics listener', () => {
  it('serves /metrics on its own port, with process and Node.js metrics; the public port does not', async () => {
    expect(harness.server.metricsUrl).not.toContain(new URL(harness.server.url).port);
    expect((await fetch(`${harness.server.url}/metrics`)).status).toBe(404);

    const text = await scrape();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'skyway_upstream_breaker_state',
    ]) {
      expect(text).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
  });

  it('says whether the idempotency store answers, for the store-down alert', async () => {
    expect(await scrape()).toMatch(/^skyway_store_up\{store="idempotency"\} 1$/m);
    const cutOff = await startHarness({ IDEMPOTENCY_STORE: 'redis://127.0.0.1:1' });
    try {
      expect(await scrape(cutOff.server.metricsUrl)).toMatch(
        /^skyway_store_up\{store="idempotency"\} 0$/m,
      );
    } finally {
      await cutOff.close();
    }
  });

  it('answers only GET /metrics', async () => {
    const base = new URL(`${harness.server.metricsUrl}`).origin;
    expect((await fetch(`${base}/graphql`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('label values from clients', () => {
  it('are bounded: 300 invented operation names and 40 client names add a bounded set of series', async () => {
    const invented = Array.from({ length: 300 }, (_, i) => `Invented${i}`);
    for (let i = 0; i < invented.length; i += 20) {
      await Promise.all(
        invented
          .slice(i, i + 20)
          .map((name) => post(harness.server.url, `query ${name} { __typename }`)),
      );
    }
    // A deprecated field is counted per client name.
    for (let i = 0; i < 40; i++) {
      await harness.graphql('{ deliveries(first: 1) { edges { node { package { weight } } } } }', {
        token: dispatcher,
        headers: { 'x-client-name': `app-${i}` },
      });
    }
    // The apps' operations keep their own label whatever came before.
    const mine = await harness.graphql(operation('MyDeliveries'), { token });
    expect(mine.body.errors).toBeUndefined();

    const text = await scrape();
    const operations = labelValues(text, 'skyway_graphql_requests_total', 'operation');
    expect(operations.has('MyDeliveries')).toBe(true);
    expect(operations.has('other')).toBe(true);
    const inventedSeen = invented.filter((name) => operations.has(name));
    expect(inventedSeen).toEqual(invented.slice(0, MAX_EXTRA_OPERATIONS));

    const clients = labelValues(text, 'skyway_deprecated_field_usage_total', 'client');
    expect(clients.size).toBe(MAX_CLIENTS + 1); // the first twenty, then `other`
    expect(clients.has('other')).toBe(true);
    expect(clients.has(`app-${MAX_CLIENTS}`)).toBe(false);
  });

  it('are never given to a refused request: a rate-limited flood of new names makes no series', async () => {
    // An anonymous caller holds ten points and gets (almost) none back: ten requests run.
    const limited = await startHarness({
      RATE_LIMIT_STORE: 'memory',
      QUERY_MAX_COST: '10',
      RATE_LIMIT_CAPACITY: '10',
      RATE_LIMIT_RESTORE_PER_S: '0.001',
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) {
        statuses.push(
          await post(limited.server.url, `query Flood${i} { __typename }`, {
            accept: 'application/graphql-response+json',
            'x-client-name': `flood-${i}`,
          }),
        );
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(190);

      const text = await scrape(limited.server.metricsUrl);
      const operations = labelValues(text, 'skyway_graphql_requests_total', 'operation');
      expect([...operations].sort()).toEqual(
        [...Array.from({ length: 10 }, (_, i) => `Flood${i}`), 'refused'].sort(),
      );
      expect(text).toMatch(
        /^skyway_graphql_errors_total\{operation="refused",code="RATE_LIMITED"\} 190$/m,
      );
      expect(text).not.toContain('flood-');
    } finally {
      await limited.close();
    }
  });
});

describe('a scrape storm', () => {
  it('renders once a second however many scrapes come, while the public port answers every request', async () => {
    const storm = await startHarness({}, { metricsReuseMs: RENDER_REUSE_MS });
    try {
      const metrics = storm.server.skyway.metrics;
      let renders = 0;
      const render = metrics.render.bind(metrics);
      metrics.render = () => {
        renders++;
        return render();
      };
      const viewer = await storm.token('acc_0001');
      const SCRAPES = 1_500;
      const QUERIES = 100;
      let scrapesLeft = SCRAPES;
      let queriesLeft = QUERIES;
      const scrapeStatuses: number[] = [];
      const answers: Array<{ status: number; id: unknown }> = [];
      // As many scrapers as the listener takes connections, each scraping back to back.
      const scrapers = new Agent({ connections: MAX_CONNECTIONS });
      const started = performance.now();
      await Promise.all([
        ...Array.from({ length: MAX_CONNECTIONS }, async () => {
          while (scrapesLeft-- > 0) {
            const answer = await undiciFetch(`${storm.server.metricsUrl}`, {
              dispatcher: scrapers,
            });
            await answer.text();
            scrapeStatuses.push(answer.status);
          }
        }),
        ...Array.from({ length: 4 }, async () => {
          while (queriesLeft-- > 0) {
            const { status, body } = await storm.graphql<{ viewer: { id: string } }>(
              '{ viewer { id } }',
              { token: viewer },
            );
            answers.push({ status, id: body.data?.viewer.id });
          }
        }),
      ]);
      const elapsedMs = performance.now() - started;
      await scrapers.close();

      expect(scrapeStatuses).toHaveLength(SCRAPES);
      expect(scrapeStatuses.every((status) => status === 200)).toBe(true);
      expect(answers).toHaveLength(QUERIES);
      expect(answers.every(({ status, id }) => status === 200 && typeof id === 'string')).toBe(
        true,
      );
      // One rendering per second of storm, not one per scrape.
      expect(renders).toBeLessThanOrEqual(Math.ceil(elapsedMs / RENDER_REUSE_MS) + 1);
      expect(renders).toBeLessThan(SCRAPES / 10);
    } finally {
      await storm.close();
    }
  });
});
