import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { queryTooComplex } from '../errors.js';

/**
 * The request body limit, in place of Yoga's `maxRequestBodySize` (pass Yoga `false`).
 *
 * A body with a Content-Length is judged by it, before a byte is read: Node's HTTP parser
 * never hands over more than the declared length, so nothing more needs watching. Yoga's own
 * limit pipes every body through a TransformStream and rebuilds the Request as well, which
 * in the bench cost more than the rest of reading the request (a stream pipeline, its abort
 * controller and a DOMException per request). Only a body without a length (chunked) is
 * counted while it is read, and cut off at the limit.
 *
 * The contract calls a request over a size limit QUERY_TOO_COMPLEX: 413 with
 * `extensions.reason: BODY_SIZE` and `extensions.limit`.
 */

/** Only one non-negative integer is a Content-Length (a list of them is a smuggling attempt). */
const CONTENT_LENGTH = /^\d+$/;

export function useBodySizeLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    queryTooComplex(
      `The request body is larger than ${maxBytes} bytes.`,
      { reason: 'BODY_SIZE', limit: maxBytes },
      413,
    );
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (!CONTENT_LENGTH.test(declared)) {
          throw createGraphQLError('Content-Length header is invalid.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
        if (Number(declared) > maxBytes) throw tooLarge();
        return;
      }
      if (requestParser === undefined || request.body === null) return;
      const parse = requestParser;
      setRequestParser(async (unbounded) => {
        const body = await readAtMost(unbounded, maxBytes, tooLarge);
        return parse(
          new fetchAPI.Request(unbounded.url, {
            method: unbounded.method,
            headers: unbounded.headers,
            signal: unbounded.signal,
            body,
          }),
        );
      });
    },
  };
}

/**
 * The body of a request without a length, read until its end or until it passes the limit.
 * (The upstream client counts its answers' bodies the same way over a Node stream; this one
 * stops with the reader's `cancel`, which leaves the client's connection open for the 413:
 * leaving a `for await` over the request body instead closes it, and the client sees no
 * answer at all.)
 */
async function readAtMost(request: Request, maxBytes: number, tooLarge: () => Error) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
