import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';

/**
 * The trusted documents: the manifest codegen writes (`clients/generated/persisted-documents.json`,
 * sha256 of a document → the document), read once at start.
 *
 * Every entry is checked here rather than on first use, so a hand-edited or truncated manifest
 * stops the start with a message instead of failing one app screen in production: the key must
 * be the sha256 of its document (what the apps were built with) and the document must parse.
 * Validation against the schema stays with each request, where Yoga does it anyway.
 */

export type PersistedDocuments = ReadonlyMap<string, string>;

export class PersistedDocumentsError extends Error {
  override name = 'PersistedDocumentsError';
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads and checks a manifest; throws a PersistedDocumentsError naming the file and entry. */
export function loadPersistedDocuments(path: string): PersistedDocuments {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PersistedDocumentsError(
      `PERSISTED_DOCUMENTS_MANIFEST: cannot read ${path} as JSON (${(error as Error).message}); run \`npm run codegen\``,
    );
  }
  return parsePersistedDocuments(json, path);
}

/** Checks a manifest's content (`source` names it in errors). */
export function parsePersistedDocuments(json: unknown, source: string): PersistedDocuments {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PersistedDocumentsError(`${source}: expected an object of sha256 → document`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(json)) {
    if (!SHA256_HEX.test(hash)) {
      throw new PersistedDocumentsError(`${source}: ${JSON.stringify(hash)} is not a sha256 hex`);
    }
    if (typeof document !== 'string') {
      throw new PersistedDocumentsError(`${source}: the document of ${hash} is not a string`);
    }
    if (sha256Hex(document) !== hash) {
      throw new PersistedDocumentsError(
        `${source}: ${hash} is not the sha256 of its document (edited by hand?); run \`npm run codegen\``,
      );
    }
    try {
      parse(document);
    } catch (error) {
      throw new PersistedDocumentsError(
        `${source}: the document of ${hash} does not parse: ${(error as Error).message}`,
      );
    }
    documents.set(hash, document);
  }
  return documents;
}

/** The names of the operations in the manifest's documents: the ones the apps really send. */
export function operationNamesIn(documents: PersistedDocuments): string[] {
  const names = new Set<string>();
  for (const document of documents.values()) {
    for (const definition of parse(document).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) {
        names.add(definition.name.value);
      }
    }
  }
  return [...names];
}
