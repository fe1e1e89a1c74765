import { createHash } from 'node:crypto';

/**
 * The `Idempotency-Key` a mutation step sends upstream, derived from the client's key.
 *
 * Client keys are scoped to (caller, mutation): two callers who happen to pick the same key
 * never meet. Each step of a multi-step mutation gets its own key (`…:charge`,
 * `…:payment`), so a retry replays the steps already done at the services instead of
 * repeating them, and a step never collides with another step's stored answer.
 */
export function upstreamIdempotencyKey(
  scope: { callerId: string; mutation: string; clientKey: string },
  step: string,
): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([scope.callerId, scope.mutation, scope.clientKey]))
    .digest('base64url');
  return `sky1_${digest}:${step}`;
}

/** The most characters a client's idempotency key may have (Stripe's limit). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
