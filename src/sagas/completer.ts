import { randomUUID } from 'node:crypto';
import { isDomainRefusalError } from '../idempotency/idempotent-mutations.js';
import type { IdempotentMutations } from '../idempotency/index.js';
import { upstreamIdempotencyKey } from '../idempotency/keys.js';
import type { ClaimedRecord } from '../idempotency/store.js';
import type { Logger } from '../observability/logger.js';
import { randomHex } from '../observability/request-id.js';
import { RequestScope } from '../request-scope.js';
import type { Upstreams } from '../upstreams/index.js';
import type { SagaEvents } from './events.js';
import { ResumeData, SAGAS } from './index.js';
import { UNSEEN } from './saga.js';

export interface CompleterOptions {
  /** How often each instance looks for abandoned sagas; 0 turns the completer off. */
  intervalMs: number;
  /** A saga is abandoned once its lease ended this long ago: its client's retry goes first. */
  idleMs: number;
  /** Takeovers after which a saga is stuck: logged as an error and counted, tried hourly. */
  maxAttempts: number;
  /** Records taken per look. */
  batch: number;
  /** The time budget of one saga's run, like a request's. */
  budgetMs: number;
}

/** How long a stuck saga waits before it is tried (and reported) again. */
const STUCK_RETRY_MS = 60 * 60 * 1000; // 1 h

/**
 * Finishes sagas whose client is gone. Every instance runs one; the store hands each abandoned
 * record to one of them at a time (a lease, like a client's retry takes), so two instances
 * never run the same saga at once, and an instance that dies mid-run leaves it to the next.
 *
 * A claimed saga runs from its recorded steps with the input its record kept, as the saga's
 * own code decides without a client: a payment not yet captured is undone, a cancel goes
 * forward to its refund. After an outage it is tried again with exponential backoff (5 s, 10 s,
 * … at most a minute, after the idle time), and after `maxAttempts` tries it is stuck.
 */
export class SagaCompleter {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  /** Set by `stop()`: the look in progress ends after its batch instead of taking another. */
  #stopping = false;

  constructor(
    private readonly idempotency: IdempotentMutations,
    private readonly upstreams: Upstreams,
    private readonly events: SagaEvents,
    private readonly logger: Logger,
    private readonly options: CompleterOptions,
  ) {}

  start(): void {
    if (this.options.intervalMs === 0 || this.#timer !== undefined) return;
    this.#stopping = false;
    this.#timer = setInterval(() => {
      // One look at a time: a slow look is not overlapped by the next.
      if (this.#running === undefined) void this.runOnce().catch(() => {});
    }, this.options.intervalMs).unref();
  }

  /** Stops looking and waits for the look in progress. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  /** One look: claims abandoned sagas and runs each; resolves with how many it ran. */
  runOnce(): Promise<number> {
    const look = this.#look().finally(() => {
      this.#running = undefined;
    });
    this.#running = look;
    return look;
  }

  /**
   * Batch after batch while batches come back full, for one interval's time at most: a
   * backlog (an outage's worth of abandoned sagas, or a client abandoning its mutations on
   * purpose to fill the store, which then refuses every mutation) drains as fast as sagas
   * run, not `batch` per interval.
   */
  async #look(): Promise<number> {
    const started = Date.now();
    let ran = 0;
    for (;;) {
      const owner = randomUUID();
      let claimed: ClaimedRecord[];
      try {
        claimed = await this.idempotency.store.claimExpired({
          owner,
          leaseMs: this.options.budgetMs * 2,
          idleMs: this.options.idleMs,
          limit: this.options.batch,
        });
      } catch (error) {
        this.logger.warn({ err: error }, 'saga completer: the idempotency store is unavailable');
        return ran;
      }
      for (const record of claimed) {
        if (await this.#settle(record, owner)) ran += 1;
      }
      const spentMs = Date.now() - started;
      const more = claimed.length === this.options.batch && spentMs < this.options.intervalMs;
      if (!more || this.#stopping) return ran;
    }
  }

  async #settle(record: ClaimedRecord, owner: string): Promise<boolean> {
    const store = this.idempotency.store;
    const parsed = parseResume(record.resume);
    if (parsed === null) {
      this.logger.error({ key: record.key }, 'saga completer: a record it cannot resume');
      await store.release(record.key, owner, STUCK_RETRY_MS).catch(() => {});
      return false;
    }
    const saga = SAGAS[parsed.saga];
    const input = saga.input.safeParse(parsed.input);
    const facts = {
      key: record.key,
      saga: saga.name,
      steps: record.steps,
      attempts: record.attempts,
    };
    if (!input.success || record.attempts > this.options.maxAttempts) {
      this.events.record(saga.name, 'stuck');
      this.logger.error(facts, 'saga stuck: the completer gave up on it; it needs a person');
      await store.release(record.key, owner, STUCK_RETRY_MS).catch(() => {});
      return false;
    }

    this.events.record(saga.name, 'resumed');
    this.logger.info(facts, 'saga completer: taking over an abandoned saga');
    const keys = {
      callerId: parsed.caller.accountId,
      mutation: saga.name,
      clientKey: parsed.clientKey,
    };
    // A scope of its own, as a request has: a budget, an id in the logs and at the services.
    const scope = new RequestScope({
      requestId: `completer-${randomHex(8)}`,
      budgetMs: this.options.budgetMs,
    });
    scope.identify({ caller: parsed.caller });
    try {
      await this.idempotency.settle(
        record,
        owner,
        (steps) =>
          saga.run({
            input: input.data,
            steps,
            key: (step) => upstreamIdempotencyKey(keys, step),
            upstreams: this.upstreams.bind(scope),
            wrote: UNSEEN,
            withClient: false,
            compensated: () => this.events.compensated(saga.name),
          }),
        backoffMs(record.attempts),
      );
      this.events.record(saga.name, 'completed');
      this.logger.info(facts, 'saga completer: saga completed');
    } catch (error) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      if (isDomainRefusalError(error)) {
        this.logger.info({ ...facts, code }, 'saga completer: saga ended in a refusal');
      } else {
        this.logger.warn({ ...facts, code }, 'saga completer: saga failed; it will be tried again');
      }
    } finally {
      scope.end();
    }
    return true;
  }
}

/** 5 s, 10 s, 20 s, … at most a minute: outages pass, and the services are not hammered. */
export function backoffMs(attempts: number): number {
  return Math.min(60_000, 5_000 * 2 ** Math.max(0, attempts - 1));
}

function parseResume(text: string): ResumeData | null {
  try {
    const parsed = ResumeData.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
