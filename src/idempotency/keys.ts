import { createHash } from 'node:crypto';

/**
 * Keys derived from a client's idempotency key.
 *
 * A client key is scoped to (caller, mutation): two callers who pick the same key never meet,
 * nor do two mutations. The scope's digest names the BFF's record of the request, and each
 * step of a multi-step mutation forwards its own key derived from it (`…:charge`,
 * `…:payment`), so a retry replays the steps already done at the services instead of
 * repeating them. Upstream keys depend on nothing but the scope: if the BFF's own store is
 * lost, the services' idempotency still holds the line.
 */

export interface KeyScope {
  callerId: string;
  mutation: string;
  clientKey: string;
}

/** The most characters a client's idempotency key may have (Stripe's limit). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export function scopeDigest(scope: KeyScope): string {
  return createHash('sha256')
    .update(JSON.stringify([scope.callerId, scope.mutation, scope.clientKey]))
    .digest('base64url');
}

/** The `Idempotency-Key` one step of a mutation sends upstream. */
export function upstreamIdempotencyKey(scope: KeyScope, step: string): string {
  return `sky1_${scopeDigest(scope)}:${step}`;
}
