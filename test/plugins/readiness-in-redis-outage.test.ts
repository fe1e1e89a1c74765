import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleDeliveryAnswer } from '../helpers/deliveries.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

/**
 * `/readyz` while Redis is down. Every replica shares one Redis (the Kubernetes manifests give
 * both stores one Secret's URL), so a `/readyz` that failed with it would take every replica
 * out of the Service at once, and reads would go down with the writes. It stays ready and
 * says the store is down; mutations fail closed on their own, with a coded error.
 */

let redis: RedisServer;
let harness: Harness;
let token: string;
beforeAll(async () => {
  redis = await startRedisServer();
  harness = await startHarness({ IDEMPOTENCY_STORE: redis.url, RATE_LIMIT_STORE: redis.url });
  token = await harness.token('acc_0001');
});
afterAll(async () => {
  await harness.close();
  await redis.kill();
});

/** `/readyz` as a kubelet asks it: an answer later than its default 1 s timeout is a failure. */
async function readyz(): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(`${harness.server.url}/readyz`, {
    signal: AbortSignal.timeout(1_000),
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

describe('with the shared Redis down', () => {
  it('is ready, and says the store is up, while Redis answers', async () => {
    expect(await readyz()).toMatchObject({
      status: 200,
      body: { status: 'ready', accepting: true, checks: { idempotencyStore: true } },
    });
  });

  it('answers within the probe timeout while Redis is silent (stopped, its connections open)', async () => {
    // A stopped process is a partition with no reset: the ping waits for its 1 s deadline.
    redis.child.kill('SIGSTOP');
    try {
      expect(await readyz()).toMatchObject({
        status: 200,
        body: { status: 'ready', checks: { idempotencyStore: false } },
      });
    } finally {
      redis.child.kill('SIGCONT');
    }
  });

  it('stays ready with Redis gone and says the store is down; queries answer, mutations fail closed', async () => {
    await redis.kill();

    expect(await readyz()).toMatchObject({
      status: 200,
      body: { status: 'ready', accepting: true, checks: { idempotencyStore: false } },
    });

    const read = await harness.graphql(operation('MyDeliveries'), { token });
    expect(read.status).toBe(200);
    expect(read.body.errors).toBeUndefined();

    await harness.reset();
    const write = await scheduleDeliveryAnswer(harness, token);
    expect(write.status).toBe(200);
    expect(write.body.data).toBeNull();
    expect(write.body.errors?.map((e) => e.extensions)).toEqual([
      expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'idempotency-store' }),
    ]);
    // Failed closed: nothing was written upstream.
    expect((await harness.stats('deliveries')).routes).toEqual({});
  });
});
