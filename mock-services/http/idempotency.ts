// Idempotency keys with Stripe's semantics, one store per service.
//
// The first request with a key reserves it before its handler runs. Until it completes, the
// same key is answered 409 IDEMPOTENCY_KEY_IN_USE. Once complete, the same key with the same
// fingerprint (method, path, canonical JSON body) gets the stored answer again, marked
// `Idempotent-Replayed: true`, and changes nothing; with another fingerprint it is a 422
// IDEMPOTENCY_KEY_REUSED. Handler answers below 500 (4xx included, as Stripe does) are stored;
// 5xx and chaos answers release the key so that a retry runs for real.

import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest, HttpError } from './errors.js';
import type { Reply } from './router.js';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000; // 24 h

/** The `Idempotency-Key` header, or null; a 400 when empty, repeated or over 255 characters. */
export function readIdempotencyKey(headers: IncomingHttpHeaders): string | null {
  const value = headers['idempotency-key'];
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '' || value.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw badRequest(`Idempotency-Key must be 1..${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);
  }
  return value;
}

/** sha256 over method, path and the body: canonical JSON when it parses, else the raw text. */
export function fingerprint(method: string, path: string, bodyText: string): string {
  let body = bodyText;
  try {
    body = bodyText.trim() === '' ? '' : canonicalJson(JSON.parse(bodyText));
  } catch {
    // Not JSON: the raw text is the fingerprint; the handler will answer 400.
  }
  return createHash('sha256').update(`${method}\n${path}\n${body}`).digest('hex');
}

/** JSON with object keys sorted at every depth, so `{a,b}` and `{b,a}` fingerprint alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A reserved key: complete it with the handler's answer, or release it. */
export interface Ticket {
  complete(reply: Reply): void;
  release(): void;
}

export type Reservation = { kind: 'new'; ticket: Ticket } | { kind: 'answered'; reply: Reply };

interface Entry {
  fingerprint: string;
  expiresAt: number;
  /** Null while the first request is in flight. */
  reply: Reply | null;
}

export class IdempotencyStore {
  /** In reservation order, which is expiry order: pruning stops at the first live entry. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  reserve(key: string, requestFingerprint: string): Reservation {
    this.prune();
    const existing = this.entries.get(key);
    if (existing === undefined) {
      const entry: Entry = {
        fingerprint: requestFingerprint,
        expiresAt: this.now() + this.ttlMs,
        reply: null,
      };
      this.entries.set(key, entry);
      return { kind: 'new', ticket: this.ticket(key, entry) };
    }
    if (existing.fingerprint !== requestFingerprint) {
      const error = new HttpError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used with another method, path or body',
      );
      return { kind: 'answered', reply: { status: error.status, body: error.body } };
    }
    if (existing.reply === null) {
      const error = new HttpError(
        409,
        'IDEMPOTENCY_KEY_IN_USE',
        'a request with this Idempotency-Key is still in flight; retry later',
      );
      return { kind: 'answered', reply: { status: error.status, body: error.body } };
    }
    const stored = existing.reply;
    return {
      kind: 'answered',
      reply: { ...stored, headers: { ...stored.headers, 'idempotent-replayed': 'true' } },
    };
  }

  clear(): void {
    this.entries.clear();
  }

  private ticket(key: string, entry: Entry): Ticket {
    // A ticket acts only on its own entry: after a reset the key may belong to someone else.
    const owns = () => this.entries.get(key) === entry;
    return {
      complete: (reply) => {
        if (!owns()) return;
        if (reply.status >= 500) this.entries.delete(key);
        else entry.reply = reply;
      },
      release: () => {
        if (owns()) this.entries.delete(key);
      },
    };
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}
