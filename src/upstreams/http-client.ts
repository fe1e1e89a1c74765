import type { IncomingHttpHeaders } from 'node:http';
import { type Context, SpanStatusCode } from '@opentelemetry/api';
import { type Dispatcher, Pool, errors as undiciErrors } from 'undici';
import type { UpstreamName } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { startUpstreamSpan, traceparentFor } from '../observability/tracing.js';
import type { AttemptSignal } from '../resilience/attempt-signal.js';
import type { ResilienceOptions } from '../resilience/options.js';
import { UpstreamPolicy } from '../resilience/upstream-policy.js';
import type { AnswerSchema } from './answer-schema.js';
import { UpstreamRejectedError, UpstreamTimeoutError, UpstreamUnavailableError } from './errors.js';
import { ErrorBody } from './records.js';

/**
 * One keep-alive connection pool to one upstream service, and the single place where an HTTP
 * answer becomes either a validated value or one of the errors in `errors.ts`.
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

/** What each call carries from the GraphQL request that caused it. */
export interface CallContext {
  /** Aborts the call when the request's time budget runs out or the client goes away. */
  signal: AbortSignal;
  /** When the request's time budget ends (epoch ms): no attempt or retry outlives it. */
  deadline: number;
  /** Headers forwarded to every upstream: `x-request-id`, `traceparent`, the caller. */
  headers: Record<string, string>;
  /** The operation's trace context: upstream spans are its children. */
  trace?: Context;
  /**
   * Calls of this request not settled yet. An answer can be sent while some still run (a
   * failed non-null field ends its parent early); the request's budget aborts those when it
   * ends with the answer, instead of leaving them to hold connections and bulkhead places.
   */
  inFlight?: number;
  /**
   * What this request's calls have cost the services so far: records read (answers that
   * arrived, whole) and writes done. The rate limiter charges the request by it (Shopify's
   * actual cost); failed calls add nothing.
   */
  usage?: UpstreamUsage;
}

/** Work the services did for one request, counted as answers arrive. */
export interface UpstreamUsage {
  records: number;
  writes: number;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** The route template, e.g. `GET /v1/drones/{id}`: what logs and metrics group by. */
  route: string;
  /** Path and query string, already encoded. */
  path: string;
  body?: unknown;
  /** Forwarded as `Idempotency-Key`; a write without one is never repeated. */
  idempotencyKey?: string;
  /**
   * The most records a sound answer holds (a batch's distinct ids, a page's limit). An answer
   * with more is a BAD_RESPONSE: a service answering far more than it was asked is broken or
   * hostile, and its records must not reach a cache or a client.
   */
  maxRecords?: number;
}

/** A 2xx answer: its body parsed by the schema, with its status and headers. */
export interface Answer<T> {
  data: T;
  status: number;
  headers: IncomingHttpHeaders;
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
  async send<T>(request: UpstreamRequest, schema: AnswerSchema<T>, call: CallContext): Promise<T> {
    return (await this.sendWithHeaders(request, schema, call)).data;
  }

  /** `send`, with the answer's status and headers (what a cache judges it by). */
  async sendWithHeaders<T>(
    request: UpstreamRequest,
    schema: AnswerSchema<T>,
    call: CallContext,
  ): Promise<Answer<T>> {
    call.inFlight = (call.inFlight ?? 0) + 1;
    try {
      const answer = await this.policy.execute(
        (signal, attemptNo) => this.#observed(request, schema, call, signal, attemptNo),
        {
          signal: call.signal,
          deadline: call.deadline,
          retryable: request.method === 'GET' || request.idempotencyKey !== undefined,
        },
      );
      if (call.usage !== undefined) {
        if (request.method === 'GET') call.usage.records += recordsIn(answer.data);
        else call.usage.writes += 1;
      }
      return answer;
    } finally {
      call.inFlight -= 1;
    }
  }

  /** One attempt inside its span, counted and timed. */
  async #observed<T>(
    request: UpstreamRequest,
    schema: AnswerSchema<T>,
    call: CallContext,
    signal: AttemptSignal,
    attemptNo: number,
  ): Promise<Answer<T>> {
    const span = startUpstreamSpan(request.route, call.trace, {
      'skyway.upstream': this.upstream,
      'http.route': request.route,
      'http.request.method': request.method,
      'http.request.resend_count': attemptNo,
      'skyway.breaker_state': this.policy.breakerState,
    });
    const traceparent = traceparentFor(span, call.headers.traceparent);
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await this.#attempt(request, schema, call.headers, traceparent, signal);
    } catch (error) {
      outcome =
        error instanceof UpstreamRejectedError ? `HTTP_${error.status}` : failureReason(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      if (!(error instanceof UpstreamRejectedError)) {
        this.options.logger?.warn(
          {
            requestId: call.headers['x-request-id'],
            upstream: this.upstream,
            route: request.route,
            attempt: attemptNo,
            reason: outcome,
            status: error instanceof UpstreamUnavailableError ? error.status : undefined,
            detail: error instanceof UpstreamUnavailableError ? error.detail : undefined,
          },
          'upstream attempt failed',
        );
      }
      throw error;
    } finally {
      span.setAttribute('skyway.outcome', outcome);
      span.end();
      this.options.metrics?.upstreamCalls.inc({
        upstream: this.upstream,
        route: request.route,
        outcome,
      });
      this.options.metrics?.upstreamDuration.observe(
        { upstream: this.upstream, route: request.route },
        (performance.now() - started) / 1000,
      );
    }
  }

  /**
   * One attempt; `signal` ends with the attempt's own deadline. The request's headers are
   * copied once, here, with the attempt's own `traceparent` (its span's, when tracing is on).
   */
  async #attempt<T>(
    request: UpstreamRequest,
    schema: AnswerSchema<T>,
    forwarded: Record<string, string>,
    traceparent: string | undefined,
    signal: AttemptSignal,
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...forwarded, accept: 'application/json' };
    if (traceparent !== undefined) headers.traceparent = traceparent;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;

    let answer: Dispatcher.ResponseData;
    try {
      answer = await this.#pool.request({
        method: request.method,
        path: request.path,
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal,
      });
    } catch (error) {
      throw this.#transportError(error, signal);
    }

    const text = await this.#readBody(answer, signal);
    const status = answer.statusCode;
    if (status >= 200 && status < 300) {
      return {
        data: this.#parse(text, schema, request.maxRecords),
        status,
        headers: answer.headers,
      };
    }
    if (status >= 500 || status === 429) {
      throw new UpstreamUnavailableError(
        this.upstream,
        status === 429 ? 'RATE_LIMITED' : 'HTTP_5XX',
        {
          status,
          retryAfterS: retryAfterSeconds(answer.headers['retry-after']),
        },
      );
    }
    const coded = ErrorBody.safeParse(safeJson(text));
    if (!coded.success) {
      throw new UpstreamUnavailableError(this.upstream, 'HTTP_4XX', {
        status,
        detail: 'no error body',
      });
    }
    throw new UpstreamRejectedError(this.upstream, status, coded.data.error.code);
  }

  /** Records each resource of this upstream may keep (see `RecordCache`). */
  get recordCacheSize(): number {
    return this.options.recordCacheSize ?? 0;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /**
   * Reads at most `maxBodyBytes`; a longer or cut-off body is a BAD_RESPONSE. A body whose
   * declared length is within the limit is read whole by undici (it never reads past the
   * declared length); one without a length is counted chunk by chunk.
   */
  async #readBody(answer: Dispatcher.ResponseData, signal: AttemptSignal): Promise<string> {
    const declared = Number(answer.headers['content-length'] ?? Number.NaN);
    if (declared > this.options.maxBodyBytes) {
      discard(answer.body);
      throw new UpstreamUnavailableError(this.upstream, 'BAD_RESPONSE', {
        detail: `body of ${declared} bytes`,
      });
    }
    try {
      if (Number.isInteger(declared)) return await answer.body.text();
      return await this.#readCounted(answer.body);
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) throw error;
      if (signal.aborted) throw new UpstreamTimeoutError(this.upstream);
      // The connection broke in the middle of the body: the answer is unusable, not an outage
      // of the transport layer as such, so it is reported as a bad response.
      throw new UpstreamUnavailableError(this.upstream, 'BAD_RESPONSE', {
        detail: describe(error),
      });
    }
  }

  async #readCounted(body: Dispatcher.ResponseData['body']): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > this.options.maxBodyBytes) {
        discard(body);
        throw new UpstreamUnavailableError(this.upstream, 'BAD_RESPONSE', {
          detail: 'body over the limit',
        });
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  #parse<T>(text: string, schema: AnswerSchema<T>, maxRecords = Number.POSITIVE_INFINITY): T {
    const json = safeJson(text);
    if (json === undefined) {
      throw new UpstreamUnavailableError(this.upstream, 'BAD_RESPONSE', {
        detail: 'body is not JSON',
      });
    }
    // Counted before the schema walks every record: a 10,000-record answer to a 3-id batch
    // is refused without validating 10,000 records.
    const records = recordsIn(json);
    if (records > maxRecords) {
      throw new UpstreamUnavailableError(this.upstream, 'BAD_RESPONSE', {
        detail: `${records} records in an answer that may hold ${maxRecords}`,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new UpstreamUnavailableError(this.upstream, 'BAD_RESPONSE', {
        detail: `body does not match its schema at ${first?.path.join('.') ?? '?'}: ${first?.message ?? ''}`,
      });
    }
    return parsed.data;
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

/** Stops reading a body we will not use; the connection goes, the error is expected. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

function failureReason(error: unknown): string {
  if (error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError)
    return error.reason;
  return 'ERROR';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** `Retry-After` in seconds (delta form or HTTP date), or undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * Records in an answer: every service answers a record, or `{ data: [records] }` for a batch or
 * a page (`records.ts`).
 */
function recordsIn(body: unknown): number {
  if (typeof body === 'object' && body !== null && 'data' in body && Array.isArray(body.data)) {
    return body.data.length;
  }
  return 1;
}
