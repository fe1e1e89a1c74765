import {
  Client,
  cacheExchange,
  type Exchange,
  fetchExchange,
  makeOperation,
  mapExchange,
} from '@urql/core';

/**
 * The client a web app builds on Skyway: urql's core with its document cache, the typed
 * documents of `clients/generated` (`client.query(MyDeliveriesDocument, { first: 20 })` is
 * typed by the document), and optionally trusted documents.
 *
 * With `trustedDocuments`, every operation goes by the sha256 that codegen embedded in its
 * document (`__meta__.hash`) in Apollo's APQ extension, and its text is never sent: what a BFF
 * with `PERSISTED_DOCUMENTS=require` accepts, and a smaller request in any mode. urql reads
 * @defer and @stream answers (multipart or SSE) itself and merges each part into `data`.
 */

export interface SkywayClientOptions {
  /** The BFF's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** The caller's bearer token, read for every request (it may be refreshed in between). */
  token?: () => string | undefined;
  /**
   * Send operations by hash only.
   * @default false
   */
  trustedDocuments?: boolean;
}

export function createSkywayClient(options: SkywayClientOptions): Client {
  return new Client({
    url: options.url,
    // The hash is read before the cache exchange replaces the document by its formatted copy.
    exchanges: [
      ...(options.trustedDocuments ? [trustedDocumentsExchange] : []),
      cacheExchange,
      fetchExchange,
    ],
    fetchOptions: () => {
      const token = options.token?.();
      return {
        headers: {
          // urql sends queries as GET when the URL is short enough (always, by hash); the BFF
          // takes a GET only with a header that a forged cross-site request cannot carry.
          'x-graphql-yoga-csrf': '1',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      };
    },
  });
}

/**
 * Puts the document's codegen hash in the APQ extension; urql then leaves the text out. A
 * document written by hand has no hash and goes as text, which a BFF that requires persisted
 * documents refuses with PERSISTED_QUERY_REQUIRED.
 */
export const trustedDocumentsExchange: Exchange = mapExchange({
  onOperation(operation) {
    if (operation.kind !== 'query' && operation.kind !== 'mutation') return operation;
    const hash = (operation.query as { __meta__?: { hash?: unknown } }).__meta__?.hash;
    if (typeof hash !== 'string') return operation;
    return makeOperation(operation.kind, {
      ...operation,
      extensions: { ...operation.extensions, persistedQuery: { version: 1, sha256Hash: hash } },
    });
  },
});
