import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../mock-services/index.js';
import { startBffProcess, upstreamEnv } from './helpers/bff-process.js';

/** Cluster mode: workers share the port, a dead worker is replaced, SIGTERM stops them all. */

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
  it('serves from two workers on one port, replaces a dead one, and exits 0 on SIGTERM', async () => {
    const bff = startBffProcess({ ...upstreamEnv(mocks), WEB_CONCURRENCY: '2' });
    const base = await bff.url;
    await until(() => listeningWorkers(bff.output()).length === 2);
    const [first, second] = listeningWorkers(bff.output());
    expect(first).not.toBe(second);
    // Both workers listen on the same port.
    expect(bff.output().match(new RegExp(`listening on ${base}/graphql`, 'g'))).toHaveLength(2);

    const answers = await Promise.all(Array.from({ length: 10 }, () => fetch(`${base}/healthz`)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);

    process.kill(first as number, 'SIGKILL');
    await until(() => listeningWorkers(bff.output()).length === 3);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    expect(await bff.stop('SIGTERM')).toBe(0);
  });

  it('says in one line that the port is taken and exits 2, without forking workers', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const bff = startBffProcess({
        ...upstreamEnv(mocks),
        WEB_CONCURRENCY: '2',
        PORT: String(port),
        LOG_LEVEL: 'error',
      });
      await expect(bff.url).rejects.toThrow();
      expect(await bff.stop()).toBe(2);
      expect(bff.output()).toBe(
        `the BFF cannot listen on 127.0.0.1:${port}: the port is taken; set PORT to another port (0 picks a free one)\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
