import { describe, expect, it } from 'vitest';
import { type Bucket, refund, restore, take } from '../../src/rate-limit/bucket.js';
import { BUCKET_CASES, STRANGER_REFUND } from './bucket-cases.js';

/** `bucket.ts` on the cases the Redis scripts must answer alike (`bucket-cases.ts`). */

const START = 1_000_000;

describe('leaky bucket', () => {
  for (const { name, options, steps } of BUCKET_CASES) {
    it(name, () => {
      let bucket: Bucket | undefined;
      for (const step of steps) {
        const nowMs = START + step.atMs;
        if ('take' in step) {
          const result = take(bucket, step.take, nowMs, options);
          bucket = result.bucket;
          expect(result.decision).toEqual(step.answer);
        } else {
          bucket = refund(bucket, step.refund, nowMs, options);
          expect(bucket.available).toEqual(step.answer);
        }
      }
    });
  }

  it('holds a stranger full, so a refund makes up nothing', () => {
    const { options, points, answer } = STRANGER_REFUND;
    expect(refund(undefined, points, START, options).available).toBe(answer);
    expect(restore(undefined, START, options)).toEqual({ available: 10, atMs: START });
  });
});
