import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { RedisRateLimitStore } from '../../src/rate-limit/redis-store.js';
import { STORE_COOLDOWN_MS } from '../../src/rate-limit/store-cooldown.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The limiter while its Redis is away, as an operator sees it through the BFF: requests go
 * through, each counted; the log says so once when the store goes and once when it is back;
 * and Redis is asked once per cooldown, not once per request (each ask waits up to the 250 ms
 * deadline). Redis is this file's own redis-server, killed and started again on its port; the
 * cooldown runs on a fake clock (Date only: sockets and Redis's timers run as ever).
 */

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const logged = (start: string) =>
  lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith(start));

/** Every question the BFF puts to Redis's buckets. */
const takes = vi.spyOn(RedisRateLimitStore.prototype, 'take');

let redis: RedisServer;
let harness: Harness;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  redis = await startRedisServer();
  harness = await startHarness(
    {
      RATE_LIMIT_STORE: redis.url,
      // Five points, next to none back: the sixth free query in a row is refused.
      QUERY_MAX_COST: '5',
      RATE_LIMIT_CAPACITY: '5',
      RATE_LIMIT_RESTORE_PER_S: '0.001',
    },
    { logger: createLogger('info', sink) },
  );
});
afterAll(async () => {
  await harness.close();
  await redis.kill();
  vi.useRealTimers();
});

const freeQuery = async () => (await harness.graphql('{ __typename }')).status;

async function storeFailures(): Promise<number> {
  const text = await (await fetch(`${harness.server.metricsUrl}`)).text();
  return Number(/^skyway_rate_limit_store_failures_total (\S+)$/m.exec(text)?.[1] ?? 0);
}

describe('with Redis away', () => {
  it('asks it once, logs one line without a stack, and lets every request through, counted', async () => {
    await redis.kill();
    takes.mockClear();

    for (let i = 0; i < 10; i++) expect(await freeQuery()).toBe(200);

    expect(takes).toHaveBeenCalledTimes(1);
    expect(await storeFailures()).toBe(10);
    const unavailable = logged('rate-limit store unavailable');
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]).toMatchObject({ level: 'warn', store: 'rate-limit' });
    expect(unavailable[0]).not.toHaveProperty('err');
    expect(String(unavailable[0]?.reason).length).toBeGreaterThan(0);
    expect(String(unavailable[0]?.reason).length).toBeLessThanOrEqual(200);
  });

  it('asks again once per cooldown while it is still away, without logging again', async () => {
    takes.mockClear();
    vi.advanceTimersByTime(STORE_COOLDOWN_MS - 1);
    expect(await freeQuery()).toBe(200);
    expect(takes).toHaveBeenCalledTimes(0);

    vi.advanceTimersByTime(1);
    for (let i = 0; i < 3; i++) expect(await freeQuery()).toBe(200);
    expect(takes).toHaveBeenCalledTimes(1);
    expect(await storeFailures()).toBe(14);
    expect(logged('rate-limit store unavailable')).toHaveLength(1);
    expect(logged('rate-limit store back')).toHaveLength(0);
  });

  it('once it is back and the cooldown has passed, limits again and logs that it is back', async () => {
    redis = await startRedisServer([], { port: redis.port });
    // The BFF reconnects on its own schedule (within 500 ms): until it has, each cooldown's
    // question fails as before.
    await waitFor(
      async () => {
        vi.advanceTimersByTime(STORE_COOLDOWN_MS);
        expect(await freeQuery()).toBe(200);
        return logged('rate-limit store back').length > 0;
      },
      { tries: 20, everyMs: 100 },
    );
    expect(logged('rate-limit store back')).toEqual([
      expect.objectContaining({ level: 'info', store: 'rate-limit' }),
    ]);
    expect(logged('rate-limit store unavailable')).toHaveLength(1);

    // Each request asks Redis again, and the five points run out. The try that found Redis
    // back took one; a try that timed out while it was away may have taken one too (ioredis
    // keeps a timed-out command queued and sends it on reconnect), so the refusal comes fifth
    // or sooner.
    const failures = await storeFailures();
    takes.mockClear();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await freeQuery());
    expect(takes).toHaveBeenCalledTimes(5);
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(429);
    expect(await storeFailures()).toBe(failures);
  });
});
