import type { Dispatcher } from 'undici';

/** One call to an upstream, as a service client describes it. */
export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** The route template, e.g. `GET /v1/drones/{id}`: what logs and metrics group by. */
  route: string;
  /** Path and query string, already encoded. */
  path: string;
  body?: unknown;
  /** Forwarded as `Idempotency-Key`; a write without one is never repeated. */
  idempotencyKey?: string;
  /** The most records a sound answer holds (see `answer.ts`). */
  maxRecords?: number;
}

/**
 * What undici sends for one attempt: the request's forwarded headers copied once, with the
 * attempt's own `traceparent` (its span's, when tracing is on), JSON in and out, and the
 * idempotency key of a write.
 */
export function outgoing(
  request: UpstreamRequest,
  forwarded: Readonly<Record<string, string>>,
  traceparent: string | undefined,
  signal: Dispatcher.RequestOptions['signal'],
): Dispatcher.RequestOptions {
  const headers: Record<string, string> = { ...forwarded, accept: 'application/json' };
  if (traceparent !== undefined) headers.traceparent = traceparent;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
  return {
    method: request.method,
    path: request.path,
    headers,
    body: request.body === undefined ? null : JSON.stringify(request.body),
    signal,
  };
}
