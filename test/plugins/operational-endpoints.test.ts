import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';

/** `/readyz` for load balancers: ready unless draining; stores and breakers reported. */

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({
    UPSTREAM_DRONES_BREAKER_MIN_CALLS: '2',
    UPSTREAM_DRONES_RETRIES: '0',
  });
});
afterAll(() => harness.close());

const readyz = () => fetch(`${harness.server.url}/readyz`);

describe('/readyz', () => {
  it('is ready with every breaker closed, and stays ready with one open', async () => {
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { idempotencyStore: true },
      breakers: { accounts: 'closed', drones: 'closed' },
    });

    const token = await harness.token('acc_0001', 'DISPATCHER');
    await harness.chaos('drones', { errorRate: 1, errorStatus: 503 });
    for (let i = 0; i < 2; i++) {
      await harness.graphql(
        '{ deliveries(first: 3, status: IN_TRANSIT) { edges { node { drone { id } } } } }',
        { token },
      );
    }
    const degraded = await readyz();
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'ready', breakers: { drones: 'open' } });
  });

  it('says 503 once draining, and answers close their connections', async () => {
    harness.server.skyway.drain();
    const draining = await readyz();
    expect(draining.status).toBe(503);
    expect(draining.headers.get('connection')).toBe('close');
    expect(await draining.json()).toMatchObject({ status: 'not ready', accepting: false });
  });
});
