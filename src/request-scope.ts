import type { Context as TraceContext } from '@opentelemetry/api';
import type { Caller } from './auth/caller.js';
import { childTraceparent } from './observability/tracing.js';

/** Work the services did for one request, counted as answers arrive. */
export interface UpstreamUsage {
  /** Records read: answers that arrived, whole. */
  records: number;
  writes: number;
}

/** How a request was identified: its verified caller, or why it has none. */
export type Identity =
  | { caller: Caller }
  /** No token, or one refused (`rejected`), or one that could not be checked (`unavailable`). */
  | { caller: null; rejected: boolean; unavailable: boolean };

export interface RequestScopeInit {
  requestId: string;
  /** The request's whole time budget, from now. */
  budgetMs: number;
  /** The client's `traceparent`, if it sent one: its trace continues here. */
  traceparent?: string | null;
  /** Aborts when the client goes away. */
  clientSignal?: AbortSignal;
  /** Where the request came from (`client-address.ts`); `unknown` for work without a client. */
  clientAddress?: string;
}

/**
 * The state of one request, from its arrival to its answer, in one place: its id, its deadline
 * and the signal that ends its upstream calls, who is asking and from where, the headers every
 * upstream call forwards, the operation's trace, what the operation was priced at, and what
 * its calls have cost the services. `useRequestScope` makes one per request; plugins and the GraphQL context
 * read it, and upstream clients bound to it (`upstreams.bind(scope)`) read its deadline, signal,
 * headers and trace and report their calls to it. Nothing else keeps state beside the request.
 *
 * The signal is made on first use: a request refused at the door costs no timer. One
 * controller and one plain timer: `AbortSignal.any` with `AbortSignal.timeout` does the same at
 * several times the cost (it showed in CPU profiles).
 */
export class RequestScope {
  readonly requestId: string;
  /** Where the request came from: what a caller without a token pays from, and what is logged. */
  readonly clientAddress: string;
  /** When the budget ends (epoch ms): no upstream attempt or retry outlives it. */
  readonly deadline: number;
  /** Forwarded on every upstream call: `x-request-id`, `traceparent`, and the verified caller. */
  readonly headers: Record<string, string>;
  #identity: Identity = { caller: null, rejected: false, unavailable: false };
  /** The operation's trace context once its span started: upstream spans are its children. */
  trace: TraceContext | undefined;
  /** What the operation was priced at (`use-query-cost.ts`), once priced. */
  cost: number | undefined;
  #inFlight = 0;
  readonly #usage: UpstreamUsage = { records: 0, writes: 0 };
  readonly #clientSignal: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(init: RequestScopeInit) {
    this.requestId = init.requestId;
    this.clientAddress = init.clientAddress ?? 'unknown';
    this.deadline = Date.now() + init.budgetMs;
    this.#clientSignal = init.clientSignal;
    this.headers = {
      'x-request-id': init.requestId,
      traceparent: childTraceparent(init.traceparent ?? null),
    };
  }

  /** Aborts when the budget is spent, the client goes away, or the answer left with calls running. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const client = this.#clientSignal;
      if (this.#ended || client?.aborted) {
        controller.abort();
      } else {
        this.#timer = setTimeout(this.#abort, Math.max(0, this.deadline - Date.now())).unref();
        client?.addEventListener('abort', this.#abort, { once: true });
      }
    }
    return this.#controller.signal;
  }

  get identity(): Identity {
    return this.#identity;
  }

  /** The verified caller, or null. */
  get caller(): Caller | null {
    return this.#identity.caller;
  }

  /** Set once the token was checked: upstreams then learn the caller's id, never the token. */
  identify(identity: Identity): void {
    this.#identity = identity;
    if (identity.caller !== null) this.headers['x-skyway-caller'] = identity.caller.accountId;
  }

  /** What this request's upstream calls have cost the services so far (the rate limit's actual cost). */
  get usage(): Readonly<UpstreamUsage> {
    return this.#usage;
  }

  /** Calls not settled yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** An upstream call started for this request. */
  callStarted(): void {
    this.#inFlight += 1;
  }

  /** An upstream call ended; what it cost when it succeeded. */
  callSettled(cost?: { records?: number; writes?: number }): void {
    this.#inFlight -= 1;
    this.#usage.records += cost?.records ?? 0;
    this.#usage.writes += cost?.writes ?? 0;
  }

  /**
   * The answer has been written: the timer stops, and the calls still running for it, if any,
   * are aborted (an answer can leave while some run: a failed non-null field ends its parent
   * early), instead of holding connections and bulkhead places for nobody.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#clientSignal?.removeEventListener('abort', this.#abort);
    if (this.#inFlight > 0) this.#controller?.abort();
  }

  readonly #abort = (): void => {
    this.#controller?.abort();
  };
}
