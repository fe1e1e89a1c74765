import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/resilience/retry-budget.js';

/** A hand-set clock: the budget is a function of counts and time, never of real waiting. */
function budgetAt(ratio: number, minPerSecond: number) {
  let now = 1_000_000;
  const budget = new RetryBudget(ratio, minPerSecond, 10_000, () => now);
  return {
    budget,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('RetryBudget', () => {
  it('allows retries up to the ratio of calls in the window', () => {
    const { budget } = budgetAt(0.2, 0);
    for (let i = 0; i < 50; i++) budget.recordCall();
    const granted = Array.from({ length: 20 }, () => budget.tryRetry()).filter(Boolean);
    expect(granted).toHaveLength(10);
  });

  it('keeps a floor per second so a quiet upstream can still be retried', () => {
    const { budget } = budgetAt(0.2, 1);
    budget.recordCall();
    const granted = Array.from({ length: 20 }, () => budget.tryRetry()).filter(Boolean);
    expect(granted).toHaveLength(10); // 1/s over a 10 s window, plus 0.2 of one call
  });

  it('forgets calls and retries older than the window', () => {
    const { budget, advance } = budgetAt(0.5, 0);
    for (let i = 0; i < 4; i++) budget.recordCall();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    advance(11_000);
    expect(budget.tryRetry()).toBe(false);
    budget.recordCall();
    budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
  });
});
