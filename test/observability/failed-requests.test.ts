import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { metricTotal } from '../helpers/metric-total.js';
import { operation } from '../helpers/operations.js';

/**
 * `skyway_graphql_failed_requests_total`, what the SLO rules divide by the requests: a request
 * that failed by the server's fault counts once, however many upstreams failed it and with
 * however many codes, while `skyway_graphql_errors_total` counts it once per code.
 */

let harness: Harness;
let dispatcher: string;

beforeAll(async () => {
  harness = await startHarness({
    // A payments call that does not answer is a timeout soon, and nothing is retried.
    UPSTREAM_PAYMENTS_TIMEOUT_MS: '200',
    UPSTREAM_RETRIES: '0',
  });
  dispatcher = await harness.token('acc_0001', 'DISPATCHER');
});
afterAll(() => harness.close());

/** Runs `requests` and reads what they did to `/metrics`. */
async function counted(requests: () => Promise<void>) {
  const scrape = async () => (await fetch(`${harness.server.metricsUrl}`)).text();
  const before = await scrape();
  await requests();
  const after = await scrape();
  return (name: string, labels: Record<string, string> = {}) =>
    metricTotal(after, name, labels) - metricTotal(before, name, labels);
}

const board = () =>
  harness.graphql(operation('DispatchBoard'), { token: dispatcher, variables: { first: 5 } });

describe('failed requests', () => {
  it('a board with two failing upstreams, of two codes, is one failed request', async () => {
    await harness.chaos('packages', { errorRate: 1, errorStatus: 500 });
    await harness.chaos('payments', { hang: true });
    let codes: unknown[] = [];
    const delta = await counted(async () => {
      const { body } = await board();
      codes = [...new Set(body.errors?.map((error) => error.extensions?.code))].sort();
    });
    await harness.reset();

    expect(codes).toEqual(['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE']);
    const labels = { operation: 'DispatchBoard' };
    expect(delta('skyway_graphql_requests_total', labels)).toBe(1);
    expect(delta('skyway_graphql_errors_total', labels)).toBe(2);
    expect(delta('skyway_graphql_failed_requests_total', labels)).toBe(1);
  });

  it("counts neither a client's error nor a request without errors", async () => {
    const delta = await counted(async () => {
      expect((await board()).body.errors).toBeUndefined();
      await harness.graphql('{ nope }', { token: dispatcher });
      await harness.graphql('{ viewer { id } }', { token: 'not-a-token' });
    });
    expect(delta('skyway_graphql_requests_total')).toBe(3);
    expect(delta('skyway_graphql_errors_total')).toBe(2);
    expect(delta('skyway_graphql_failed_requests_total')).toBe(0);
  });
});
