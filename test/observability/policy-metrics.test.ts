import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Metrics } from '../../src/observability/metrics.js';
import { observePolicies } from '../../src/observability/policy-metrics.js';
import { UpstreamTimeoutError } from '../../src/upstreams/errors.js';
import { createUpstreams } from '../../src/upstreams/index.js';

/**
 * The breaker gauge as scraped, read from the upstreams' own policies, on a fake clock (`Date`
 * only, cockatiel's clock): nothing is sent to any upstream.
 */

afterEach(() => vi.useRealTimers());

/** The value of `skyway_upstream_breaker_state` for one upstream. */
async function breakerGauge(metrics: Metrics, upstream: string): Promise<number | undefined> {
  const text = await metrics.registry.getSingleMetricAsString('skyway_upstream_breaker_state');
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`skyway_upstream_breaker_state{upstream="${upstream}"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('skyway_upstream_breaker_state', () => {
  it('is 1 (half-open), not 2 (open), once the open period is over, though no call came', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const config = loadConfig({
      UPSTREAM_DRONES_BREAKER_MIN_CALLS: '3',
      UPSTREAM_DRONES_RETRIES: '0',
    });
    const upstreams = createUpstreams(config);
    try {
      const metrics = new Metrics();
      observePolicies(metrics, upstreams);
      const { policy } = upstreams.http.drones;
      const timeout = () => Promise.reject(new UpstreamTimeoutError('drones'));
      for (let i = 0; i < 3; i++) {
        const call = {
          signal: new AbortController().signal,
          deadline: Date.now() + 3_000,
          retryable: true,
        };
        await policy.execute(timeout, call).catch(() => undefined);
      }
      expect(await breakerGauge(metrics, 'drones')).toBe(2);
      expect(await breakerGauge(metrics, 'accounts')).toBe(0);

      const { openMs } = config.resilience.drones.breaker;
      vi.setSystemTime(Date.now() + openMs - 1);
      expect(await breakerGauge(metrics, 'drones')).toBe(2);
      // The upstream has come back and the night is quiet: the next call would be the probe.
      vi.setSystemTime(Date.now() + 1 + 12_000);
      expect(await breakerGauge(metrics, 'drones')).toBe(1);
      expect(policy.counters.attempts).toBe(3);
    } finally {
      await upstreams.close();
    }
  });
});
