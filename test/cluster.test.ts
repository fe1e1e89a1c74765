import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../mock-services/index.js';
import { startBffProcess, upstreamEnv } from './helpers/bff-process.js';
import { serveOnTakenPort } from './helpers/taken-port.js';

/**
 * Cluster mode: workers share the port, a dead worker is replaced, SIGTERM stops them all, and
 * the primary's one scrape sums every worker's metrics.
 */

let mocks: MockServices;
beforeAll(async () => {
  mocks = await startMockServices();
});
afterAll(() => mocks.close());

/** The pids of workers that have said they listen, from the JSON log lines. */
function listeningWorkers(output: string): number[] {
  return output
    .split('\n')
    .filter((line) => line.includes('listening on'))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++)
    await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}

describe('WEB_CONCURRENCY=2', () => {
  // One process for both stories: a cluster takes seconds to start on a busy machine.
  it("serves from two workers on one port, sums every worker's metrics in one scrape, replaces a dead worker, and exits 0 on SIGTERM", async () => {
    const bff = startBffProcess({ ...upstreamEnv(mocks), WEB_CONCURRENCY: '2' });
    const base = await bff.url;
    const metricsUrl = await bff.metricsUrl;
    await until(() => listeningWorkers(bff.output()).length === 2);
    const [first, second] = listeningWorkers(bff.output());
    expect(first).not.toBe(second);
    // Both workers listen on the same port.
    expect(bff.output().match(new RegExp(`listening on ${base}/graphql`, 'g'))).toHaveLength(2);

    const answers = await Promise.all(Array.from({ length: 10 }, () => fetch(`${base}/healthz`)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);

    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push(await postOnNewConnection(base, 'query Ping { __typename }'));
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const scrape = await fetch(metricsUrl);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    // Each worker counted its own share; the primary's sum is all of them.
    expect(text).toMatch(/^skyway_graphql_requests_total\{operation="Ping",type="query"\} 40$/m);
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
      expect(text).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }

    process.kill(first as number, 'SIGKILL');
    await until(() => listeningWorkers(bff.output()).length === 3);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    expect(await bff.stop('SIGTERM')).toBe(0);
  });

  it.each([
    ['PORT', 'the BFF'],
    ['METRICS_PORT', "the BFF's metrics endpoint"],
  ])(
    'says in one line that %s is taken and exits 2, without forking workers',
    async (variable, what) => {
      const { port, listened, exitCode, output } = await serveOnTakenPort(variable, {
        ...upstreamEnv(mocks),
        WEB_CONCURRENCY: '2',
        LOG_LEVEL: 'error',
      });
      expect(listened).toBe(false);
      expect(exitCode).toBe(2);
      expect(output).toBe(
        `${what} cannot listen on 127.0.0.1:${port}: the port is taken; set ${variable} to another port (0 picks a free one)\n`,
      );
    },
  );

  it('says in one line that the manifest cannot be read and exits 2, without forking workers', async () => {
    const bff = startBffProcess({
      ...upstreamEnv(mocks),
      WEB_CONCURRENCY: '2',
      PERSISTED_DOCUMENTS: 'require',
      PERSISTED_DOCUMENTS_MANIFEST: '/nonexistent/persisted-documents.json',
      LOG_LEVEL: 'error',
    });
    await expect(bff.url).rejects.toThrow();
    expect(await bff.stop()).toBe(2);
    expect(bff.output()).toMatch(/^PERSISTED_DOCUMENTS_MANIFEST: cannot read [^\n]*\n$/);
  });
});

/** POSTs a query on a connection of its own, so the primary hands it to the next worker. */
function postOnNewConnection(base: string, query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const outgoing = request(
      `${base}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () => resolve(incoming.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
