import type { GraphQLError } from 'graphql';
import { idempotencyKeyInUse, idempotencyKeyReused, invalidState, notFound } from '../errors.js';
import { UpstreamRejectedError } from '../upstreams/errors.js';

/** A service's coded "no" to a write: an answer about the domain, not an outage. */
export function isDomainRefusal(error: unknown): error is UpstreamRejectedError {
  return (
    error instanceof UpstreamRejectedError &&
    (error.upstreamCode === 'INVALID_STATE' || error.upstreamCode === 'NOT_FOUND')
  );
}

/** What a service's coded refusal of a write means to the client. */
function fromRejection(error: UpstreamRejectedError, what: string): GraphQLError {
  switch (error.upstreamCode) {
    case 'NOT_FOUND':
      return notFound(what);
    case 'INVALID_STATE':
      return invalidState(`${what} cannot be changed that way in its current state.`);
    case 'IDEMPOTENCY_KEY_REUSED':
      return idempotencyKeyReused();
    case 'IDEMPOTENCY_KEY_IN_USE':
      return idempotencyKeyInUse();
    default:
      return error;
  }
}

/** Runs a write; a service's refusal becomes the contract's error (outages are coded already). */
export async function write<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw error instanceof UpstreamRejectedError ? fromRejection(error, what) : error;
  }
}

/**
 * A payment that ended without keeping money: every answer of payForDelivery that is not a
 * charge says so in `extensions.moneyKept`, so an app can tell the customer for certain.
 */
export function paymentRefused(error: GraphQLError): GraphQLError {
  error.extensions.moneyKept = false;
  return error;
}
