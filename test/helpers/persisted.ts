import { getOperationAST, parse } from 'graphql';
import { DEFAULT_PERSISTED_DOCUMENTS_MANIFEST } from '../../src/config.js';
import { loadPersistedDocuments } from '../../src/plugins/persisted-documents-manifest.js';

/** The committed manifest (`npm run codegen`), and the hash the apps send for an operation. */
export const MANIFEST = loadPersistedDocuments(DEFAULT_PERSISTED_DOCUMENTS_MANIFEST);

export function hashOf(operationName: string): string {
  for (const [hash, document] of MANIFEST) {
    if (getOperationAST(parse(document))?.name?.value === operationName) return hash;
  }
  throw new Error(`${operationName} is not in the persisted-documents manifest`);
}
