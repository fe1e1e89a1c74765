import type { Caller } from './auth/caller.js';
import {
  InvalidTokenError,
  KeysUnavailableError,
  type TokenVerifier,
} from './auth/token-verifier.js';
import type { IdempotentMutations } from './idempotency/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { randomHex, requestIdOf } from './observability/request-id.js';
import type { SagaEvents } from './sagas/events.js';
import type { CallContext, Upstreams } from './upstreams/index.js';

/** What every resolver of one GraphQL request can reach. */
export interface Context {
  /** The verified caller, or null without a (valid) token. */
  caller: Caller | null;
  /** True when a token was presented but refused: fields that need a caller say so. */
  tokenRejected: boolean;
  /** True when the token could not be checked (the issuer's keys are unreachable). */
  callerUnavailable: boolean;
  requestId: string;
  /** Carried into every upstream call: the request's deadline and forwarded headers. */
  call: CallContext;
  loaders: Loaders;
  upstreams: Upstreams;
  /** Runs each mutation at most once per idempotency key. */
  idempotency: IdempotentMutations;
  /** How sagas end, for metrics. */
  sagaEvents: SagaEvents;
}

export interface ContextFactoryOptions {
  upstreams: Upstreams;
  idempotency: IdempotentMutations;
  sagaEvents: SagaEvents;
  verifyToken: TokenVerifier;
  requestTimeoutMs: number;
  maxBatchSize: number;
  batching: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function createContextFactory(options: ContextFactoryOptions) {
  return async ({ request }: { request: Request }): Promise<Context> => {
    const requestId = requestIdOf(request);

    let caller: Caller | null = null;
    let tokenRejected = false;
    let callerUnavailable = false;
    try {
      caller = await options.verifyToken(request.headers.get('authorization'));
    } catch (error) {
      if (error instanceof KeysUnavailableError) callerUnavailable = true;
      else if (error instanceof InvalidTokenError) tokenRejected = true;
      else throw error;
    }

    const headers: Record<string, string> = {
      'x-request-id': requestId,
      traceparent: childTraceparent(request.headers.get('traceparent')),
    };
    // Upstreams learn who is asking from the verified id, never from the raw token.
    if (caller) headers['x-skyway-caller'] = caller.accountId;

    const call: CallContext = {
      signal: budgetSignal(request, options.requestTimeoutMs, () => call.inFlight ?? 0),
      deadline: Date.now() + options.requestTimeoutMs,
      headers,
      inFlight: 0,
      usage: { records: 0, writes: 0 },
    };
    return {
      caller,
      tokenRejected,
      callerUnavailable,
      requestId,
      call,
      loaders: createLoaders(options.upstreams, call, {
        maxBatchSize: options.maxBatchSize,
        batching: options.batching,
      }),
      upstreams: options.upstreams,
      idempotency: options.idempotency,
      sagaEvents: options.sagaEvents,
    };
  };
}

/**
 * Aborts when the client goes away or the request's budget is spent. One controller and one
 * plain timer per request: `AbortSignal.any` with `AbortSignal.timeout` does the same at several
 * times the cost (it showed in CPU profiles). `endBudget` stops the timer when the answer has
 * been written, and aborts the calls still running for it, if any; left to run, each timer
 * would keep its request's controller alive for the whole budget and then abort it (a
 * DOMException and an event) long after the answer.
 */
function budgetSignal(request: Request, budgetMs: number, inFlight: () => number): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, budgetMs).unref();
  const client = request.signal;
  if (client.aborted) controller.abort();
  else client.addEventListener('abort', abort, { once: true });
  budgets.set(request, () => {
    clearTimeout(timer);
    client.removeEventListener('abort', abort);
    // Calls still running for an answer already sent are of no use to anyone.
    if (inFlight() > 0) controller.abort();
  });
  return controller.signal;
}

const budgets = new WeakMap<Request, () => void>();

/** Ends the budget of a request that has been answered (a no-op for one without a context). */
export function endBudget(request: Request): void {
  budgets.get(request)?.();
  budgets.delete(request);
}

/**
 * A W3C `traceparent` for the upstream calls: the client's trace continues when it sent one,
 * with this hop as a new parent span; otherwise a new trace starts here.
 */
function childTraceparent(incoming: string | null): string {
  const match = incoming === null ? null : TRACEPARENT.exec(incoming);
  const traceId = match?.[1] ?? randomHex(16);
  const flags = match?.[3] ?? '01';
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}
