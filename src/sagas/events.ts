import type { SagaName } from './saga.js';

/** How sagas ended, or were taken over, by saga: `skyway_saga_total{saga, outcome}`. */
export type SagaOutcome =
  /** Went all the way forward, with its client or by the completer. */
  | 'completed'
  /** Ended by undoing its steps (a payment released), with a refusal that says so. */
  | 'compensated'
  /** Taken over by the completer: its client never came back. */
  | 'resumed'
  /** The completer gave up after its tries: someone must look (an alert). */
  | 'stuck';

export const SAGA_OUTCOMES: readonly SagaOutcome[] = [
  'completed',
  'compensated',
  'resumed',
  'stuck',
];

/** Counts per saga and outcome, read by the metrics when scraped. */
export class SagaEvents {
  readonly counts = new Map<string, number>();

  record(saga: SagaName, outcome: SagaOutcome): void {
    const key = `${saga} ${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  count(saga: SagaName, outcome: SagaOutcome): number {
    return this.counts.get(`${saga} ${outcome}`) ?? 0;
  }

  compensated(saga: SagaName): void {
    this.record(saga, 'compensated');
  }
}
