import { describe, expect, it } from 'vitest';
import { randomHex } from '../../src/observability/request-id.js';

describe('randomHex', () => {
  it('gives ids of the asked length that do not repeat, across refills of its pool', () => {
    // 4 KiB a pool: 1,000 trace ids take it through four refills.
    const ids = Array.from({ length: 1000 }, () => randomHex(16));
    expect(ids.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });
});
