import type { Context } from '@opentelemetry/api';
import { type Dispatcher, Pool, errors as undiciErrors } from 'undici';
import type { UpstreamName } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { AttemptSignal } from '../resilience/attempt-signal.js';
import type { ResilienceOptions } from '../resilience/options.js';
import { UpstreamPolicy } from '../resilience/upstream-policy.js';
import { type Answer, describe, readAnswer, recordsIn } from './answer.js';
import type { AnswerSchema } from './answer-schema.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from './errors.js';
import { observedAttempt } from './observed-attempt.js';
import { outgoing, type UpstreamRequest } from './outgoing.js';

/**
 * One keep-alive connection pool to one upstream service, and how one call goes through it:
 * under the upstream's policy (`resilience/`), each attempt observed (`observed-attempt.ts`),
 * sent as `outgoing.ts` builds it, and its answer read and validated by `answer.ts`. The
 * request's scope gives the deadline, signal, headers and trace, and is told of each call.
 */

export interface HttpClientOptions {
  /** Keep-alive connections in the pool. */
  connections: number;
  /** Largest response body read before the answer is declared a BAD_RESPONSE. */
  maxBodyBytes: number;
  /** Deadline, retries, breaker and bulkhead of this upstream. */
  resilience: ResilienceOptions;
  /** Where attempts are counted and timed; none in unit tests. */
  metrics?: Metrics;
  /** Where a failed attempt is told, with the detail clients never see. */
  logger?: Logger;
  /**
   * Records kept per resource of this upstream when its answers say they may be kept
   * (`record-cache.ts`); 0 or absent keeps none.
   */
  recordCacheSize?: number;
}

/**
 * What an upstream call reads from the request it serves (`RequestScope` is one), and tells it:
 * its calls start and settle there, with what each cost the services. The client never changes
 * the request's deadline, signal or headers.
 */
export interface CallScope {
  readonly requestId: string;
  /** Aborts the call when the request's time budget runs out or the client goes away. */
  readonly signal: AbortSignal;
  /** When the request's time budget ends (epoch ms): no attempt or retry outlives it. */
  readonly deadline: number;
  /** Headers forwarded to every upstream: `x-request-id`, `traceparent`, the caller. */
  readonly headers: Readonly<Record<string, string>>;
  /** The operation's trace context: upstream spans are its children. */
  readonly trace: Context | undefined;
  callStarted(): void;
  /** A call ended; what it read (records) or wrote, when it succeeded. */
  callSettled(cost?: { records?: number; writes?: number }): void;
}

export class UpstreamHttpClient {
  readonly #pool: Pool;
  /** Shared by every request to this upstream: one breaker, one bulkhead. */
  readonly policy: UpstreamPolicy;

  constructor(
    readonly upstream: UpstreamName,
    readonly origin: string,
    private readonly options: HttpClientOptions,
  ) {
    this.#pool = new Pool(origin, {
      connections: options.connections,
      keepAliveTimeout: 30 * 1000, // 30s, below the services' 65s so they never close first
      keepAliveMaxTimeout: 60 * 1000, // 60s
    });
    this.policy = new UpstreamPolicy(upstream, options.resilience);
  }

  /**
   * Sends one request under the upstream's policy and returns its 2xx body parsed by
   * `schema`, or throws an upstream error. Only reads and keyed writes are ever repeated.
   */
  async send<T>(request: UpstreamRequest, schema: AnswerSchema<T>, call: CallScope): Promise<T> {
    return (await this.sendWithHeaders(request, schema, call)).data;
  }

  /** `send`, with the answer's status and headers (what a cache judges it by). */
  async sendWithHeaders<T>(
    request: UpstreamRequest,
    schema: AnswerSchema<T>,
    call: CallScope,
  ): Promise<Answer<T>> {
    call.callStarted();
    let answer: Answer<T> | undefined;
    try {
      answer = await this.policy.execute(
        (signal, attemptNo) =>
          observedAttempt(
            this.options,
            {
              upstream: this.upstream,
              request,
              attemptNo,
              breakerState: this.policy.breakerState,
              requestId: call.requestId,
              trace: call.trace,
              traceparent: call.headers.traceparent,
            },
            (traceparent) => this.#attempt(request, schema, call, traceparent, signal),
          ),
        {
          signal: call.signal,
          deadline: call.deadline,
          retryable: request.method === 'GET' || request.idempotencyKey !== undefined,
        },
      );
      return answer;
    } finally {
      if (answer === undefined) call.callSettled();
      else if (request.method === 'GET') call.callSettled({ records: recordsIn(answer.data) });
      else call.callSettled({ writes: 1 });
    }
  }

  /** One attempt; `signal` ends with the attempt's own deadline. */
  async #attempt<T>(
    request: UpstreamRequest,
    schema: AnswerSchema<T>,
    call: CallScope,
    traceparent: string | undefined,
    signal: AttemptSignal,
  ): Promise<Answer<T>> {
    let answer: Dispatcher.ResponseData;
    try {
      answer = await this.#pool.request(outgoing(request, call.headers, traceparent, signal));
    } catch (error) {
      throw this.#transportError(error, signal);
    }
    return readAnswer(
      this.upstream,
      answer,
      schema,
      { maxBodyBytes: this.options.maxBodyBytes, maxRecords: request.maxRecords },
      signal,
    );
  }

  /** Records each resource of this upstream may keep (see `RecordCache`). */
  get recordCacheSize(): number {
    return this.options.recordCacheSize ?? 0;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  #transportError(error: unknown, signal: AttemptSignal): Error {
    if (signal.aborted || error instanceof undiciErrors.RequestAbortedError) {
      return new UpstreamTimeoutError(this.upstream);
    }
    if (
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError
    ) {
      return new UpstreamTimeoutError(this.upstream);
    }
    return new UpstreamUnavailableError(this.upstream, 'CONNECTION', { detail: describe(error) });
  }
}

export type { Answer } from './answer.js';
export type { UpstreamRequest } from './outgoing.js';
