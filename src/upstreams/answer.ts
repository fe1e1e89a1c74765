import type { Dispatcher } from 'undici';
import type { UpstreamName } from '../config.js';
import type { AttemptSignal } from '../resilience/attempt-signal.js';
import type { AnswerSchema } from './answer-schema.js';
import { UpstreamRejectedError, UpstreamTimeoutError, UpstreamUnavailableError } from './errors.js';
import { ErrorBody } from './records.js';

/**
 * The single place where an upstream's HTTP answer becomes a validated value or one of the
 * coded errors of `errors.ts`: the body read within its size limit, the status judged, the
 * JSON parsed, its records counted and its shape validated at the boundary.
 */

/** A 2xx answer: its body parsed by the schema, with its status and headers. */
export interface Answer<T> {
  data: T;
  status: number;
  headers: Dispatcher.ResponseData['headers'];
}

export interface AnswerLimits {
  /** Largest body read before the answer is declared a BAD_RESPONSE. */
  maxBodyBytes: number;
  /**
   * The most records a sound answer holds (a batch's distinct ids, a page's limit). An answer
   * with more is a BAD_RESPONSE: a service answering far more than it was asked is broken or
   * hostile, and its records must not reach a cache or a client.
   */
  maxRecords?: number;
}

export async function readAnswer<T>(
  upstream: UpstreamName,
  answer: Dispatcher.ResponseData,
  schema: AnswerSchema<T>,
  limits: AnswerLimits,
  signal: AttemptSignal,
): Promise<Answer<T>> {
  const text = await readBody(upstream, answer, limits.maxBodyBytes, signal);
  const status = answer.statusCode;
  if (status >= 200 && status < 300) {
    return {
      data: parse(upstream, text, schema, limits.maxRecords),
      status,
      headers: answer.headers,
    };
  }
  if (status >= 500 || status === 429) {
    throw new UpstreamUnavailableError(upstream, status === 429 ? 'RATE_LIMITED' : 'HTTP_5XX', {
      status,
      retryAfterS: retryAfterSeconds(answer.headers['retry-after']),
    });
  }
  const coded = ErrorBody.safeParse(safeJson(text));
  if (!coded.success) {
    throw new UpstreamUnavailableError(upstream, 'HTTP_4XX', { status, detail: 'no error body' });
  }
  throw new UpstreamRejectedError(upstream, status, coded.data.error.code);
}

/**
 * Reads at most `maxBodyBytes`; a longer or cut-off body is a BAD_RESPONSE. A body whose
 * declared length is within the limit is read whole by undici (it never reads past the
 * declared length); one without a length is counted chunk by chunk.
 */
async function readBody(
  upstream: UpstreamName,
  answer: Dispatcher.ResponseData,
  maxBodyBytes: number,
  signal: AttemptSignal,
): Promise<string> {
  const declared = Number(answer.headers['content-length'] ?? Number.NaN);
  if (declared > maxBodyBytes) {
    discard(answer.body);
    throw new UpstreamUnavailableError(upstream, 'BAD_RESPONSE', {
      detail: `body of ${declared} bytes`,
    });
  }
  try {
    if (Number.isInteger(declared)) return await answer.body.text();
    return await readCounted(upstream, answer.body, maxBodyBytes);
  } catch (error) {
    if (error instanceof UpstreamUnavailableError) throw error;
    if (signal.aborted) throw new UpstreamTimeoutError(upstream);
    // The connection broke in the middle of the body: the answer is unusable, not an outage
    // of the transport layer as such, so it is reported as a bad response.
    throw new UpstreamUnavailableError(upstream, 'BAD_RESPONSE', { detail: describe(error) });
  }
}

async function readCounted(
  upstream: UpstreamName,
  body: Dispatcher.ResponseData['body'],
  maxBodyBytes: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) {
      discard(body);
      throw new UpstreamUnavailableError(upstream, 'BAD_RESPONSE', {
        detail: 'body over the limit',
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parse<T>(
  upstream: UpstreamName,
  text: string,
  schema: AnswerSchema<T>,
  maxRecords = Number.POSITIVE_INFINITY,
): T {
  const json = safeJson(text);
  if (json === undefined) {
    throw new UpstreamUnavailableError(upstream, 'BAD_RESPONSE', { detail: 'body is not JSON' });
  }
  // Counted before the schema walks every record: a 10,000-record answer to a 3-id batch
  // is refused without validating 10,000 records.
  const records = recordsIn(json);
  if (records > maxRecords) {
    throw new UpstreamUnavailableError(upstream, 'BAD_RESPONSE', {
      detail: `${records} records in an answer that may hold ${maxRecords}`,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UpstreamUnavailableError(upstream, 'BAD_RESPONSE', {
      detail: `body does not match its schema at ${first?.path.join('.') ?? '?'}: ${first?.message ?? ''}`,
    });
  }
  return parsed.data;
}

/** Stops reading a body we will not use; the connection goes, the error is expected. */
export function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An error's code and message, for logs. */
export function describe(error: unknown): string {
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
export function recordsIn(body: unknown): number {
  if (typeof body === 'object' && body !== null && 'data' in body && Array.isArray(body.data)) {
    return body.data.length;
  }
  return 1;
}
