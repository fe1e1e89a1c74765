import type { z } from 'zod';
import type { Outcome, Steps } from '../idempotency/index.js';
import type { BoundUpstreams } from '../upstreams/index.js';
import type { ChargeRecord, DeliveryRecord, PackageRecord } from '../upstreams/records.js';

/**
 * A saga is a mutation that writes to several services: a list of steps, each a recovery point
 * recorded in the idempotency store and sent upstream with its own `Idempotency-Key`, and the
 * compensations that undo the steps before its pivot when it cannot finish. It is written
 * apart from GraphQL so the same code runs for a client's request and for the completer,
 * which finishes a saga whose client is gone.
 */

export const SAGA_NAMES = ['scheduleDelivery', 'payForDelivery', 'cancelDelivery'] as const;
export type SagaName = (typeof SAGA_NAMES)[number];

/** What a saga's steps see the services write, so a request's loaders can show it. */
export interface SagaWrites {
  delivery(record: DeliveryRecord): void;
  charge(record: ChargeRecord): void;
  package(record: PackageRecord): void;
}

export interface SagaRun<I> {
  input: I;
  steps: Steps;
  /** The upstream `Idempotency-Key` of a step. */
  key(step: string): string;
  /** The service clients of the request (or the completer's run) the saga serves. */
  upstreams: BoundUpstreams;
  wrote: SagaWrites;
  /**
   * False when the completer runs it: the client was told an error, or nothing, and will learn
   * the outcome only by retrying. A saga whose answer would be "not done" then undoes itself.
   */
  withClient: boolean;
  /** Called when the saga ended by undoing what it did (for metrics and logs). */
  compensated(): void;
}

export interface Saga<I> {
  name: SagaName;
  /** Validates the saga's input as stored for the completer, read back from the store. */
  input: z.ZodType<I>;
  run(run: SagaRun<I>): Promise<Outcome>;
}

/** Writes that need no loaders: the completer's runs. */
export const UNSEEN: SagaWrites = { delivery() {}, charge() {}, package() {} };
