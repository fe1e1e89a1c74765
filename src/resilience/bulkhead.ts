import { type BulkheadPolicy, BulkheadRejectedError, bulkhead } from 'cockatiel';
import type { UpstreamName } from '../config.js';
import { UpstreamUnavailableError } from '../upstreams/errors.js';
import type { ResilienceOptions } from './options.js';

/**
 * cockatiel's bulkhead, one per upstream: so many calls in flight, so many waiting, and past
 * that a call fails fast as UPSTREAM_UNAVAILABLE `BULKHEAD_FULL`. A call given up while
 * waiting (its signal aborted) ends with cockatiel's `TaskCancelledError`, left to the caller.
 */
export class UpstreamBulkhead {
  /** Calls refused because every slot and every place in the queue was taken. */
  rejected = 0;
  readonly #bulkhead: BulkheadPolicy;

  constructor(
    private readonly upstream: UpstreamName,
    private readonly options: ResilienceOptions['bulkhead'],
  ) {
    this.#bulkhead = bulkhead(options.concurrency, options.queue);
  }

  /** Calls in flight and waiting, for the bulkhead's gauges. */
  get load(): { inFlight: number; queued: number } {
    return {
      inFlight: this.options.concurrency - this.#bulkhead.executionSlots,
      queued: this.options.queue - this.#bulkhead.queueSlots,
    };
  }

  async execute<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await this.#bulkhead.execute(fn, signal);
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        this.rejected += 1;
        throw new UpstreamUnavailableError(this.upstream, 'BULKHEAD_FULL');
      }
      throw error;
    }
  }
}
