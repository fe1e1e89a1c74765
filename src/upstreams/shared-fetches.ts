import type { UpstreamName } from '../config.js';
import { UpstreamTimeoutError } from './errors.js';

/**
 * Batch reads in flight whose answers other requests may share, by record id: request
 * coalescing (Varnish's, Apollo Router's and Hive Gateway's in-flight deduplication), here
 * per record beside the `RecordCache` it fills. When fifty dispatchers open the board at the
 * same moment, the first asks the service for the page's drones and the other forty-nine
 * wait for that answer instead of asking again.
 *
 * Only what a shared cache could keep is shared, in flight as at rest:
 * - A read is joined only while this resource's last answer was shareable (public, no `Vary`,
 *   judged by `sharedTtlMs`); `shareable` starts true and follows every answer, so a service
 *   that answers privately stops being joined after its first answer.
 * - Whatever was joined, the answer reaches the joiners only if it, too, was shareable. A
 *   private answer, or a read that failed (the service down, or the first request's own
 *   deadline or client gone), hands them nothing, and each reads for itself under its own
 *   deadline: another caller's data, failure or short budget never becomes theirs.
 * - A joiner waits no longer than its own request's budget.
 *
 * Hand-written: DataLoader de-duplicates within one request, and the coalescing libraries
 * (p-memoize, Undici's deduplicate interceptor) key a whole call; here a batch of ids joins
 * the reads already asking for some of them and asks only for the rest.
 */

/** One read's records by id when its answer may be shared; undefined when it may not. */
export type SharedAnswer<T> = Promise<ReadonlyMap<string, T> | undefined>;

export class SharedFetches<T> {
  readonly #inFlight = new Map<string, SharedAnswer<T>>();
  #shareable = true;
  /** Records handed to a request from another's read (a scrape reads it). */
  joined = 0;

  /** Splits `ids` into the reads in flight to wait for, and the ids nobody is asking for. */
  split(ids: readonly string[]): { own: string[]; waiting: Map<SharedAnswer<T>, string[]> } {
    const waiting = new Map<SharedAnswer<T>, string[]>();
    if (!this.#shareable || this.#inFlight.size === 0) return { own: [...ids], waiting };
    const own: string[] = [];
    for (const id of ids) {
      const read = this.#inFlight.get(id);
      if (read === undefined) {
        own.push(id);
        continue;
      }
      const ids = waiting.get(read);
      if (ids === undefined) waiting.set(read, [id]);
      else ids.push(id);
    }
    return { own, waiting };
  }

  /** Lets later requests join the read of `ids` until it settles. */
  track(ids: readonly string[], read: SharedAnswer<T>): void {
    for (const id of ids) this.#inFlight.set(id, read);
    void read.then(() => {
      for (const id of ids) if (this.#inFlight.get(id) === read) this.#inFlight.delete(id);
    });
  }

  /** Whether the resource's latest answer was shareable: later reads are joined only if so. */
  learn(shareable: boolean): void {
    this.#shareable = shareable;
  }

  /**
   * Waits for the reads `split` found, within the request's budget: the records they shared
   * (an id a shareable answer lacks is simply absent), and the ids left to read for itself.
   */
  async wait(
    waiting: ReadonlyMap<SharedAnswer<T>, readonly string[]>,
    signal: AbortSignal,
    upstream: UpstreamName,
  ): Promise<{ shared: T[]; unshared: string[] }> {
    const shared: T[] = [];
    const unshared: string[] = [];
    if (waiting.size === 0) return { shared, unshared };
    const answers = await withinBudget(Promise.all(waiting.keys()), signal, upstream);
    let i = 0;
    for (const ids of waiting.values()) {
      const records = answers[i++];
      if (records === undefined) {
        unshared.push(...ids);
        continue;
      }
      for (const id of ids) {
        const record = records.get(id);
        if (record !== undefined) shared.push(record);
      }
      this.joined += ids.length;
    }
    return { shared, unshared };
  }
}

/** `promise`, or UPSTREAM_TIMEOUT once the request's signal aborts (its budget is spent). */
function withinBudget<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  upstream: UpstreamName,
): Promise<T> {
  if (signal.aborted) return Promise.reject(new UpstreamTimeoutError(upstream));
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new UpstreamTimeoutError(upstream));
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
