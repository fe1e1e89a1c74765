// Fault injection for /v1 requests, set with `PUT /__chaos`. Each request draws its own fate
// from the settings in force when it arrives: added latency, then at most one fault.
// Randomness here may use Math.random: tests use rates 0 and 1, never a seed.

import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { badRequest, HttpError } from './errors.js';
import { sendJson, sendJsonText } from './json.js';
import { validate } from './validate.js';

export const chaosInputSchema = z.strictObject({
  /** Added before answering. */
  latencyMs: z.int().min(0).max(60_000).optional(),
  /** Plus a uniform random extra in [0, jitterMs]. */
  jitterMs: z.int().min(0).max(60_000).optional(),
  /** Share of requests answered with errorStatus. */
  errorRate: z.number().min(0).max(1).optional(),
  errorStatus: z.int().min(400).max(599).optional(),
  /** Never answer. */
  hang: z.boolean().optional(),
  /** Send the status line, headers and part of the body, then destroy the socket. */
  resetConnections: z.boolean().optional(),
  /** Adds `Retry-After` to injected errors. */
  retryAfterS: z.int().min(0).max(86_400).optional(),
  /** A 200 whose body is not the documented JSON; true means "syntax". */
  malformed: z.union([z.boolean(), z.enum(['syntax', 'shape'])]).optional(),
  /** Only these route keys (`POST /v1/deliveries/{id}/payment`); all /v1 routes when absent. */
  routes: z.array(z.string()).max(100).optional(),
});

/** The chaos in force, every field resolved. */
export interface ChaosSettings {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  errorStatus: number;
  hang: boolean;
  resetConnections: boolean;
  retryAfterS: number | null;
  malformed: false | 'syntax' | 'shape';
  routes: string[] | null;
}

export const NO_CHAOS: Readonly<ChaosSettings> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatus: 503,
  hang: false,
  resetConnections: false,
  retryAfterS: null,
  malformed: false,
  routes: null,
});

export type Fault =
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'error'; status: number; retryAfterS: number | null }
  | { kind: 'malformed'; style: 'syntax' | 'shape' };

export interface ChaosDecision {
  delayMs: number;
  fault: Fault | null;
}

// What a cut connection and a syntax-malformed body send: the start of a plausible answer.
const TRUNCATED_BODY = '{"data": [ {"id": ';
const WRONG_SHAPE_BODY = '{"unexpected": true}';

export class Chaos {
  private current: ChaosSettings = { ...NO_CHAOS };

  /** @param knownRoutes route keys a `routes` entry may name; others are a 400. */
  constructor(private readonly knownRoutes: ReadonlySet<string>) {}

  get settings(): ChaosSettings {
    return { ...this.current };
  }

  /** Replaces the chaos in force; `{}` clears it. Throws a 400 on invalid input. */
  set(input: unknown): ChaosSettings {
    const parsed = validate(chaosInputSchema, input, 'body');
    const unknown = (parsed.routes ?? []).filter((route) => !this.knownRoutes.has(route));
    if (unknown.length > 0) {
      const known = [...this.knownRoutes].join(', ');
      throw badRequest(`body.routes: unknown route ${JSON.stringify(unknown)} (known: ${known})`);
    }
    this.current = {
      latencyMs: parsed.latencyMs ?? NO_CHAOS.latencyMs,
      jitterMs: parsed.jitterMs ?? NO_CHAOS.jitterMs,
      errorRate: parsed.errorRate ?? NO_CHAOS.errorRate,
      errorStatus: parsed.errorStatus ?? NO_CHAOS.errorStatus,
      hang: parsed.hang ?? false,
      resetConnections: parsed.resetConnections ?? false,
      retryAfterS: parsed.retryAfterS ?? null,
      malformed: parsed.malformed === true ? 'syntax' : (parsed.malformed ?? false),
      routes: parsed.routes ?? null,
    };
    return this.settings;
  }

  clear(): void {
    this.current = { ...NO_CHAOS };
  }

  /** What happens to a request on `route` (null: no route matched), or null when untouched. */
  decide(route: string | null): ChaosDecision | null {
    const c = this.current;
    if (c.routes !== null && (route === null || !c.routes.includes(route))) return null;
    const delayMs = c.latencyMs + (c.jitterMs > 0 ? Math.random() * c.jitterMs : 0);
    let fault: Fault | null = null;
    if (c.hang) fault = { kind: 'hang' };
    else if (c.resetConnections) fault = { kind: 'reset' };
    else if (c.errorRate > 0 && Math.random() < c.errorRate) {
      fault = { kind: 'error', status: c.errorStatus, retryAfterS: c.retryAfterS };
    } else if (c.malformed !== false) fault = { kind: 'malformed', style: c.malformed };
    if (delayMs === 0 && fault === null) return null;
    return { delayMs, fault };
  }
}

/** Acts out a fault on the response; returns the status sent (0 when none was). */
export function performFault(res: ServerResponse, fault: Fault): number {
  switch (fault.kind) {
    case 'hang':
      // Keep the socket and never answer; close() destroys it.
      return 0;
    case 'reset':
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(TRUNCATED_BODY.length * 10),
      });
      res.write(TRUNCATED_BODY, () => res.socket?.destroy());
      return 0;
    case 'error': {
      const error = new HttpError(fault.status, 'INJECTED_FAULT', 'fault injected by /__chaos');
      const headers: Record<string, string> =
        fault.retryAfterS === null ? {} : { 'retry-after': String(fault.retryAfterS) };
      sendJson(res, fault.status, error.body, headers);
      return fault.status;
    }
    case 'malformed': {
      sendJsonText(res, 200, fault.style === 'syntax' ? TRUNCATED_BODY : WRONG_SHAPE_BODY);
      return 200;
    }
  }
}
