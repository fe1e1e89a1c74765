import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import type { PersistedDocuments } from './persisted-documents-manifest.js';

/**
 * Trusted documents: requests that name an operation by the sha256 of its document instead of
 * sending the document. Two request shapes name it, both over POST and GET:
 *
 * - Apollo's APQ extension: `extensions: { persistedQuery: { version: 1, sha256Hash } }`, what
 *   Apollo Client's persisted-query link, urql's persisted exchange and Apollo's iOS and Kotlin
 *   clients send;
 * - `documentId: "sha256:<hex>"` (or the bare hex), the GraphQL-over-HTTP persisted-documents
 *   proposal's shape, which Relay-style and newer clients send.
 *
 * The modes (`PERSISTED_DOCUMENTS`):
 * - `off`: documents are sent as text. A request with a hash and no text is refused with
 *   PERSISTED_QUERY_NOT_SUPPORTED, which Apollo's clients read as "send the text from now on".
 * - `allow`: a known hash runs its document; text runs as before (an APQ client that got
 *   PERSISTED_QUERY_NOT_FOUND retries with the text, and that runs). For the months when old
 *   app versions still send text.
 * - `require`: only the manifest's documents run. Text is refused (PERSISTED_QUERY_REQUIRED,
 *   400) so nobody can run an operation the apps do not ship; an unknown hash is
 *   PERSISTED_QUERY_NOT_FOUND (404), as Apollo's router answers.
 *
 * It runs at `onParams`, before parsing, so a refused request costs no parse, validation or
 * upstream call, and the document that runs is the manifest's, whatever else the body says.
 */

export const PERSISTED_DOCUMENTS_MODES = ['off', 'allow', 'require'] as const;
export type PersistedDocumentsMode = (typeof PERSISTED_DOCUMENTS_MODES)[number];

export const PersistedDocumentCode = {
  /** The hash is not in the manifest (allow, require). */
  NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Document text where only hashes are accepted (require). */
  REQUIRED: 'PERSISTED_QUERY_REQUIRED',
  /** A hash alone while persisted documents are off. */
  NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
} as const;

export interface PersistedDocumentsOptions {
  mode: PersistedDocumentsMode;
  /** sha256 hex → document; unused when `mode` is `off`. */
  documents: PersistedDocuments;
}

export function usePersistedDocuments({ mode, documents }: PersistedDocumentsOptions): Plugin {
  return {
    onParams({ params, request, setParams }) {
      const hash = requestedHash(params, request);
      const hasText = typeof params.query === 'string' && params.query.trim() !== '';
      // Yoga refuses body keys beyond the standard four; `documentId` has been read by now.
      const { documentId, ...standard } = params as GraphQLParams & { documentId?: unknown };
      if (documentId !== undefined) setParams(standard);
      if (mode === 'off') {
        if (hash !== null && !hasText) throw notSupported();
        return;
      }
      if (mode === 'require' && hasText) throw required();
      if (hash === null) {
        if (mode === 'require') throw required();
        return;
      }
      // allow: text sent along with a hash (APQ's retry after NOT_FOUND) runs as text.
      if (hasText) return;
      const document = documents.get(hash);
      if (document === undefined) throw notFound(hash);
      setParams({ ...standard, query: document });
    },
  };
}

/** The sha256 a request names, lower-case hex, or null when it names none. */
export function requestedHash(params: GraphQLParams, request: Request): string | null {
  // Yoga keeps every key of a JSON body in params, but reads only the four standard ones from
  // a GET's query string; `documentId` there is read from the URL.
  const documentId =
    (params as GraphQLParams & { documentId?: unknown }).documentId ??
    (request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null);
  if (typeof documentId === 'string' && documentId !== '') {
    // Another algorithm's prefix ("sha1:…") names nothing in a sha256 manifest: kept as is so
    // it is not found rather than silently taken for a sha256.
    return documentId.replace(/^sha256:/, '').toLowerCase();
  }
  const persistedQuery = (params.extensions as { persistedQuery?: unknown } | undefined)
    ?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  if (persistedQuery?.version === 1 && typeof persistedQuery.sha256Hash === 'string') {
    return persistedQuery.sha256Hash.toLowerCase();
  }
  return null;
}

const notFound = (hash: string) =>
  createGraphQLError(`No persisted document has the hash ${hash.slice(0, 64)}.`, {
    extensions: { code: PersistedDocumentCode.NOT_FOUND, http: { status: 404 } },
  });

const required = () =>
  createGraphQLError(
    "This endpoint runs persisted documents only: send the document's sha256 (extensions.persistedQuery.sha256Hash or documentId), not its text.",
    { extensions: { code: PersistedDocumentCode.REQUIRED, http: { status: 400 } } },
  );

const notSupported = () =>
  createGraphQLError('Persisted documents are off here: send the document text.', {
    extensions: { code: PersistedDocumentCode.NOT_SUPPORTED, http: { status: 400 } },
  });
