import { TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { UpstreamBulkhead } from '../../src/resilience/bulkhead.js';
import { UpstreamUnavailableError } from '../../src/upstreams/errors.js';

/** cockatiel's bulkhead in our vocabulary: slots, queue, refusals and what it frees. */

function gated() {
  const gates: Array<() => void> = [];
  const slow = () => new Promise<string>((resolve) => gates.push(() => resolve('ok')));
  return { slow, gates };
}

describe('UpstreamBulkhead', () => {
  it('fails fast as BULKHEAD_FULL past its slots and queue, and frees them afterwards', async () => {
    const bulkhead = new UpstreamBulkhead('drones', { concurrency: 2, queue: 1 });
    const { slow, gates } = gated();
    const signal = new AbortController().signal;
    const running = [1, 2, 3].map(() => bulkhead.execute(slow, signal));
    const refused = await bulkhead.execute(slow, signal).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UpstreamUnavailableError);
    expect(refused).toMatchObject({ reason: 'BULKHEAD_FULL', upstream: 'drones' });
    expect(bulkhead.rejected).toBe(1);
    expect(bulkhead.load).toEqual({ inFlight: 2, queued: 1 });

    while (gates.length > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(running)).toEqual(['ok', 'ok', 'ok']);
    expect(bulkhead.load).toEqual({ inFlight: 0, queued: 0 });
  });

  it("gives up a queued call whose request's signal aborted, leaving that to the caller", async () => {
    const bulkhead = new UpstreamBulkhead('drones', { concurrency: 1, queue: 1 });
    const { slow, gates } = gated();
    const first = bulkhead.execute(slow, new AbortController().signal);
    const request = new AbortController();
    const queued = bulkhead.execute(slow, request.signal).catch((error: unknown) => error);
    expect(bulkhead.load).toEqual({ inFlight: 1, queued: 1 });
    request.abort();
    gates.shift()?.();
    expect(await first).toBe('ok');
    expect(await queued).toBeInstanceOf(TaskCancelledError);
    expect(gates).toHaveLength(0); // the cancelled call never ran
    expect(bulkhead.rejected).toBe(0);
    expect(bulkhead.load).toEqual({ inFlight: 0, queued: 0 });
  });
});
