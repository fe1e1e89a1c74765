import { Writable } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { setupTracing } from '../../src/observability/tracing.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/**
 * What an operator sees of known requests: spans (in-memory exporter), Prometheus metrics and
 * the JSON log lines, captured from the logger the BFF writes to.
 */

const exporter = new InMemorySpanExporter();
const lines: string[] = [];
let harness: Harness;
let token: string;
let dispatcher: string;
let ownerEmail: string;
let ownerId: string;

beforeAll(async () => {
  setupTracing({}, exporter);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  harness = await startHarness(
    {
      UPSTREAM_DRONES_BREAKER_MIN_CALLS: '3',
      UPSTREAM_DRONES_RETRIES: '0',
      // The test's requests come from 127.0.0.1: here it stands for a load balancer.
      TRUSTED_PROXIES: 'loopback',
    },
    { logger: createLogger('info', sink) },
  );
  ownerId = await accountWithDeliveries(harness, 5);
  ownerEmail = harness.mocks.data.accounts.get(ownerId)?.email ?? '';
  token = await harness.token(ownerId);
  dispatcher = await harness.token(ownerId, 'DISPATCHER');
});
afterAll(() => harness.close());

async function metrics(): Promise<string> {
  const answer = await fetch(`${harness.server.metricsUrl}`);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  return answer.text();
}

/** The value of one sample in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('tracing', () => {
  it('makes a span per operation with a child per upstream batch, and the services see its trace', async () => {
    exporter.reset();
    await harness.reset();
    const { body } = await harness.graphql(operation('MyDeliveries'), { token });
    expect(body.errors).toBeUndefined();

    const spans = exporter.getFinishedSpans();
    const root = spans.find((span) => span.name === 'graphql query MyDeliveries');
    expect(root?.attributes['graphql.operation.name']).toBe('MyDeliveries');
    const children = spans.filter(
      (span) => span.parentSpanContext?.spanId === root?.spanContext().spanId,
    );
    expect(children.map((span) => span.attributes['skyway.upstream']).sort()).toEqual([
      'accounts',
      'deliveries',
      'drones',
      'packages',
      'payments',
    ]);
    const traceId = root?.spanContext().traceId ?? 'none';
    for (const upstream of ['accounts', 'deliveries', 'drones', 'packages', 'payments'] as const) {
      const seen = (await harness.stats(upstream)).recent.map(
        (request) => request.traceparent ?? '',
      );
      expect(seen.some((traceparent) => traceparent.includes(traceId))).toBe(true);
    }
  });

  it("continues the client's trace when it sends a traceparent", async () => {
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await harness.graphql('{ viewer { id } }', {
      token,
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const root = exporter.getFinishedSpans().find((span) => span.name.startsWith('graphql query'));
    expect(root?.spanContext().traceId).toBe(traceId);
    expect(root?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });
});

describe('metrics', () => {
  it('counts requests, upstream calls, failures and a breaker opening', async () => {
    const before = await metrics();
    await harness.graphql(operation('MyDeliveries'), { token });
    await harness.chaos('drones', { errorRate: 1, errorStatus: 503 });
    for (let i = 0; i < 3; i++)
      await harness.graphql(operation('DispatchBoard'), { token: dispatcher });
    const after = await metrics();
    await harness.reset();

    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(
      delta('skyway_graphql_requests_total', { operation: 'MyDeliveries', type: 'query' }),
    ).toBe(1);
    expect(
      delta('skyway_graphql_requests_total', { operation: 'DispatchBoard', type: 'query' }),
    ).toBe(3);
    expect(delta('skyway_upstream_calls_total', { upstream: 'accounts', outcome: 'ok' })).toBe(4);
    expect(delta('skyway_upstream_calls_total', { upstream: 'drones', outcome: 'HTTP_5XX' })).toBe(
      3,
    );
    expect(
      delta('skyway_graphql_errors_total', {
        operation: 'DispatchBoard',
        code: 'UPSTREAM_UNAVAILABLE',
      }),
    ).toBeGreaterThan(0);
    expect(delta('skyway_graphql_query_cost_count', {})).toBe(4);
    expect(sample(after, 'skyway_upstream_breaker_state', { upstream: 'drones' })).toBe(2);
    expect(sample(after, 'skyway_upstream_breaker_state', { upstream: 'accounts' })).toBe(0);
    expect(after).toMatch(/^skyway_graphql_request_duration_seconds_bucket\{/m);
    // Every line is a comment or `name{labels} value`: Prometheus text.
    for (const line of after.split('\n').filter(Boolean)) {
      expect(line).toMatch(
        /^(# (HELP|TYPE) \S+ .+|[a-zA-Z_:][\w:]*(\{.*\})? -?[\d.e+-]+|[a-zA-Z_:][\w:]*(\{.*\})? (NaN|\+Inf|-Inf))$/,
      );
    }
  });
});

describe('logs', () => {
  it('writes one line per request, with the request id that comes back and goes upstream', async () => {
    await harness.reset();
    const answer = await harness.graphql(operation('MyDeliveries'), {
      token,
      headers: { 'x-request-id': 'req-abc-123' },
    });
    expect(answer.headers.get('x-request-id')).toBe('req-abc-123');
    const mine = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.requestId === 'req-abc-123');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      msg: 'graphql request',
      operation: 'MyDeliveries',
      status: 200,
      level: 'info',
    });
    expect(typeof mine[0]?.durationMs).toBe('number');
    expect((await harness.stats('deliveries')).recent.at(-1)?.requestId).toBe('req-abc-123');

    const made = await harness.graphql('{ viewer { id } }', { token });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('says who asked: the verified caller, and the address its proxy forwarded', async () => {
    exporter.reset();
    await harness.graphql('{ viewer { id } }', {
      token,
      // The client wrote 198.51.100.1 itself; the trusted proxy appended the address it saw.
      headers: { 'x-request-id': 'req-who-1', 'x-forwarded-for': '198.51.100.1, 203.0.113.7' },
    });
    await harness.graphql('{ viewer { id } }', { headers: { 'x-request-id': 'req-who-2' } });
    // A subject that is not an id's shape (an issuer that signs e-mail addresses) is not logged.
    const owner = harness.mocks.data.accounts.get(ownerId);
    if (owner === undefined) throw new Error('no owner');
    harness.mocks.data.accounts.set('dispatch@example.com', {
      ...owner,
      id: 'dispatch@example.com',
    });
    await harness.graphql('{ viewer { id } }', {
      token: await harness.token('dispatch@example.com'),
      headers: { 'x-request-id': 'req-who-3' },
    });
    const byId = (id: string) =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((l) => l.requestId === id && l.msg === 'graphql request');
    expect(byId('req-who-1')).toMatchObject({ caller: ownerId, clientAddress: '203.0.113.7' });
    expect(byId('req-who-2')).toMatchObject({ clientAddress: '127.0.0.1' });
    expect(byId('req-who-2')).not.toHaveProperty('caller');
    expect(byId('req-who-3')).toMatchObject({ caller: 'other', clientAddress: '127.0.0.1' });
    expect(lines.some((line) => line.includes('dispatch@example.com'))).toBe(false);
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'graphql query anonymous');
    expect(spans.map((span) => span.attributes['client.address'])).toEqual([
      '203.0.113.7',
      '127.0.0.1',
      '127.0.0.1',
    ]);
  });

  it('tells each failed upstream attempt once, with the detail clients never see', async () => {
    const failed = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'upstream attempt failed' && line.upstream === 'drones');
    expect(failed.length).toBeGreaterThanOrEqual(3); // the metrics test's three failing boards
    expect(failed[0]).toMatchObject({
      level: 'warn',
      reason: 'HTTP_5XX',
      status: 503,
      route: 'GET /v1/drones',
    });
  });

  it('never contains a token, an idempotency key or an e-mail address', async () => {
    const key = 'very-secret-idempotency-key-42';
    await harness.graphql(operation('CancelDelivery'), {
      token,
      variables: { input: { idempotencyKey: key, deliveryId: 'RGVsaXZlcnk6ZGVsXzAwMDAwMQ' } },
    });
    await harness.graphql('{ viewer { email } }', { token });
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).not.toContain(token);
    expect(all).not.toContain(key);
    expect(all).not.toContain(ownerEmail);
  });
});
