import type { GraphQLError } from 'graphql';
import { fromRejection, invalidState, notFound, upstreamError } from '../schema/errors.js';
import { isUpstreamError, UpstreamRejectedError } from '../upstreams/errors.js';

/** A service's coded "no" to a write: an answer about the domain, not an outage. */
export function isDomainRefusal(error: unknown): error is UpstreamRejectedError {
  return (
    error instanceof UpstreamRejectedError &&
    (error.code === 'INVALID_STATE' || error.code === 'NOT_FOUND')
  );
}

/** Runs a write; a service's refusal becomes the contract's error, an outage its coded one. */
export async function write<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof UpstreamRejectedError) throw fromRejection(error, what);
    throw isUpstreamError(error) ? upstreamError(error) : error;
  }
}

/**
 * A payment that ended without keeping money: every answer of payForDelivery that is not a
 * charge says so in `extensions.moneyKept`, so an app can tell the customer for certain.
 */
export function paymentRefused(code: 'INVALID_STATE' | 'NOT_FOUND', message: string): GraphQLError {
  const error = code === 'NOT_FOUND' ? notFound(message) : invalidState(message);
  error.extensions.moneyKept = false;
  return error;
}
