import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/**
 * A POST in a content type no request parser reads (XML, `text/plain`, multipart while uploads
 * are off) is refused 415 with the contract's `BAD_REQUEST`.
 *
 * Yoga answers it with an empty 415 of its own, before any result exists: the client gets no
 * code to read and the telemetry, which counts results, never sees the request. Thrown here
 * instead, it is a request error like the other refusals of the door, counted under
 * `refused`. Yoga's parsers have chosen by the time this hook runs (they come before every
 * plugin of ours); other methods are left to Yoga's own 405.
 */
export function useUnsupportedMediaType(): Plugin {
  return {
    onRequestParse({ request, requestParser }) {
      if (request.method !== 'POST' || requestParser !== undefined) return;
      throw createGraphQLError(
        'The request body is in a content type this endpoint does not read: send application/json.',
        { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 415 } } },
      );
    },
  };
}
