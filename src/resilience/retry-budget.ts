/**
 * A retry budget over a rolling window: retries may be at most `ratio` of the calls made
 * (plus a small floor per second). cockatiel has retries but no budget; without one, every
 * layer of callers retrying a failing service multiplies its load just when it can least
 * take it (Finagle's RetryBudget, the AWS Builders' Library "retry token bucket").
 *
 * The window is kept as one-second buckets, so memory is constant and old calls fall out.
 */
interface Bucket {
  second: number;
  calls: number;
  retries: number;
}

export class RetryBudget {
  readonly #buckets: Bucket[];

  constructor(
    private readonly ratio: number,
    private readonly minPerSecond: number,
    windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    const seconds = Math.max(1, Math.round(windowMs / 1000));
    this.#buckets = Array.from({ length: seconds }, () => ({ second: -1, calls: 0, retries: 0 }));
  }

  /** Counts a first attempt. */
  recordCall(): void {
    this.#bucket().calls += 1;
  }

  /** Takes one retry from the budget; false when the window has no retry left. */
  tryRetry(): boolean {
    let calls = 0;
    let retries = 0;
    const current = this.#second();
    for (const bucket of this.#buckets) {
      if (current - bucket.second < this.#buckets.length) {
        calls += bucket.calls;
        retries += bucket.retries;
      }
    }
    const allowed = this.minPerSecond * this.#buckets.length + this.ratio * calls;
    if (retries + 1 > allowed) return false;
    this.#bucket().retries += 1;
    return true;
  }

  #second(): number {
    return Math.floor(this.now() / 1000);
  }

  #bucket(): Bucket {
    const second = this.#second();
    const bucket = this.#buckets[second % this.#buckets.length] as Bucket;
    if (bucket.second !== second) {
      bucket.second = second;
      bucket.calls = 0;
      bucket.retries = 0;
    }
    return bucket;
  }
}
