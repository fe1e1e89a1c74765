/**
 * A leaky bucket of query-cost points per caller, in the manner of Shopify's GraphQL API: a
 * caller holds up to `capacity` points, each operation takes its cost, and points come back at
 * `restorePerS`. A burst may spend the whole bucket; a steady client lives on the restore rate.
 * The memory store runs these functions; the Redis store's Lua scripts (`redis-store.ts`) are
 * their one restatement, held to the same cases (`test/rate-limit/bucket-cases.ts`).
 */

export interface BucketOptions {
  /** Points a caller can hold (and so spend in one burst). */
  capacity: number;
  /** Points that come back per second. */
  restorePerS: number;
}

/** One caller's bucket: points available as of `atMs`. */
export interface Bucket {
  available: number;
  atMs: number;
}

export interface Decision {
  allowed: boolean;
  /** Points left after this operation (or, refused, before it). */
  available: number;
  /** Seconds until the bucket holds the operation's cost; 0 when allowed. */
  retryAfterS: number;
}

/** The bucket as of `nowMs`: what has come back since it was last touched, up to capacity. */
export function restore(bucket: Bucket | undefined, nowMs: number, options: BucketOptions): Bucket {
  if (bucket === undefined) return { available: options.capacity, atMs: nowMs };
  // A clock that went backwards restores nothing rather than taking points away.
  const elapsedMs = Math.max(0, nowMs - bucket.atMs);
  return {
    available: Math.min(
      options.capacity,
      bucket.available + (elapsedMs * options.restorePerS) / 1000,
    ),
    atMs: Math.max(bucket.atMs, nowMs),
  };
}

/**
 * Takes `cost` points if the bucket holds them. A cost above the capacity is charged as the
 * capacity (the query-cost limit normally stops such operations first), so it can pass once
 * the bucket is full instead of never.
 */
export function take(
  bucket: Bucket | undefined,
  cost: number,
  nowMs: number,
  options: BucketOptions,
): { bucket: Bucket; decision: Decision } {
  const current = restore(bucket, nowMs, options);
  const charge = Math.min(cost, options.capacity);
  if (current.available >= charge) {
    const available = current.available - charge;
    return {
      bucket: { available, atMs: current.atMs },
      decision: { allowed: true, available, retryAfterS: 0 },
    };
  }
  return {
    bucket: current,
    decision: {
      allowed: false,
      available: current.available,
      retryAfterS: retryAfterS(charge - current.available, options),
    },
  };
}

/**
 * Gives back `points` taken earlier for work that did not happen (Shopify's requested minus
 * actual cost), up to capacity: an operation is charged its estimate before it runs, since
 * what it will really cost is known only after, and the difference is returned once it is.
 */
export function refund(
  bucket: Bucket | undefined,
  points: number,
  nowMs: number,
  options: BucketOptions,
): Bucket {
  const current = restore(bucket, nowMs, options);
  return {
    available: Math.min(options.capacity, current.available + Math.max(0, points)),
    atMs: current.atMs,
  };
}

/** Seconds until `missing` points have come back, rounded up to the millisecond. */
export function retryAfterS(missing: number, options: BucketOptions): number {
  return Math.ceil((missing / options.restorePerS) * 1000) / 1000;
}
