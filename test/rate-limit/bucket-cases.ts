import type { BucketOptions, Decision } from '../../src/rate-limit/bucket.js';

/**
 * The leaky bucket's arithmetic as cases, answered alike by `bucket.ts` (`bucket.test.ts`) and
 * by the Redis store's Lua scripts, its one restatement (`stores.test.ts`). Each case is one
 * caller's steps at times on a hand-set clock (ms from the start), with the answer each must get.
 */

export type BucketStep =
  | { atMs: number; take: number; answer: Decision }
  | { atMs: number; refund: number; answer: number };

export interface BucketCase {
  name: string;
  options: BucketOptions;
  steps: BucketStep[];
}

const allowed = (available: number): Decision => ({ allowed: true, available, retryAfterS: 0 });
const refused = (available: number, retryAfterS: number): Decision => ({
  allowed: false,
  available,
  retryAfterS,
});

export const BUCKET_CASES: BucketCase[] = [
  {
    name: 'a new caller holds the whole capacity',
    options: { capacity: 10, restorePerS: 1 },
    steps: [{ atMs: 0, take: 10, answer: allowed(0) }],
  },
  {
    name: 'points come back at the restore rate, never above the capacity',
    options: { capacity: 10, restorePerS: 1 },
    steps: [
      { atMs: 0, take: 10, answer: allowed(0) },
      { atMs: 2_500, take: 3, answer: refused(2.5, 0.5) },
      { atMs: 3_000, take: 3, answer: allowed(0) },
      { atMs: 100_000, take: 10, answer: allowed(0) },
      { atMs: 100_000, take: 1, answer: refused(0, 1) },
    ],
  },
  {
    name: 'a refusal takes nothing and says when the cost will be there',
    options: { capacity: 10, restorePerS: 1 },
    steps: [
      { atMs: 0, take: 8, answer: allowed(2) },
      { atMs: 0, take: 5, answer: refused(2, 3) },
      { atMs: 1_000, take: 5, answer: refused(3, 2) },
      { atMs: 3_000, take: 5, answer: allowed(0) },
    ],
  },
  {
    name: 'a cost above the capacity is charged as the capacity',
    options: { capacity: 10, restorePerS: 1 },
    steps: [
      { atMs: 0, take: 50, answer: allowed(0) },
      { atMs: 0, take: 50, answer: refused(0, 10) },
      { atMs: 10_000, take: 50, answer: allowed(0) },
    ],
  },
  {
    name: 'a clock gone backwards restores nothing and takes nothing away',
    options: { capacity: 10, restorePerS: 1 },
    steps: [
      { atMs: 5_000, take: 10, answer: allowed(0) },
      { atMs: 1_000, take: 1, answer: refused(0, 1) },
      { atMs: 5_500, take: 1, answer: refused(0.5, 0.5) },
      { atMs: 6_000, take: 1, answer: allowed(0) },
    ],
  },
  {
    name: 'Retry-After is rounded up to the millisecond',
    options: { capacity: 10, restorePerS: 3 },
    steps: [
      { atMs: 0, take: 10, answer: allowed(0) },
      { atMs: 0, take: 1, answer: refused(0, 0.334) },
    ],
  },
  {
    name: 'a refund gives back what was not spent, up to the capacity, never less than nothing',
    options: { capacity: 10, restorePerS: 0.5 },
    steps: [
      { atMs: 0, take: 8, answer: allowed(2) },
      { atMs: 0, refund: 5, answer: 7 },
      { atMs: 2_000, refund: -3, answer: 8 },
      { atMs: 2_000, refund: 50, answer: 10 },
      { atMs: 2_000, take: 10, answer: allowed(0) },
    ],
  },
];

/** A refund to a caller without a bucket: a forgotten bucket is a full one. */
export const STRANGER_REFUND = { options: { capacity: 10, restorePerS: 1 }, points: 5, answer: 10 };
