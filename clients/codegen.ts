import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

/**
 * How the apps' TypeScript types are made: `npm run codegen` reads the served schema
 * (`schema.graphql`) and the operations the apps send, and writes `clients/generated/`.
 *
 * - The operations are the contract's six (`contract/operations`, kept in step with the shared
 *   contract) and the clients' own (`clients/operations`), so there is one copy of each.
 * - The client preset gives typed document nodes: `MyDeliveriesDocument` carries its result and
 *   variables types, so urql, Apollo Client or any TypedDocumentNode-aware client infers them.
 * - `persistedDocuments` also writes `persisted-documents.json` (sha256 → document), the
 *   manifest the BFF serves trusted documents from, and embeds each hash in its document so a
 *   client can send the hash alone. sha256 because Apollo's APQ extension names it.
 *
 * Paths are relative to the repository root, where npm scripts and the tests run.
 */
export const GENERATED_DIR = 'clients/generated/';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['contract/operations/*.graphql', 'clients/operations/*.graphql'],
  // The output is committed and compiled with the project's strict tsconfig (NodeNext: `.js`
  // in relative imports, `import type` for types).
  emitLegacyCommonJSImports: false,
  silent: true,
  generates: {
    [GENERATED_DIR]: {
      preset: 'client',
      // urql and Apollo Client add `__typename` to every selection for their caches; adding it
      // here too makes the persisted document the one the client would have sent, so a
      // response by hash carries what the cache needs.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      presetConfig: {
        // The operations select fields directly; there are no fragments to mask.
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        // Only the types the operations use (their enums and inputs), not every schema type:
        // smaller, and a schema change that no app operation touches leaves the output alone.
        onlyOperationTypes: true,
        // Unions of string literals, not TS enums: nothing to import at run time, and a value
        // added to the schema does not change emitted JavaScript.
        enumsAsTypes: true,
        // An unknown custom scalar fails the generation instead of becoming `any`.
        strictScalars: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
