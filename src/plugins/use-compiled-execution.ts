import { useGraphQlJit } from '@envelop/graphql-jit';
import { type DocumentNode, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Runs each operation through a function compiled for its document (graphql-jit), instead of
 * the interpreting executor that walks the document and the schema anew for every request.
 * The compiled function is cached with Yoga's parsed document, so each distinct document is
 * compiled once. In the bench the interpreter was about a sixth of the BFF's CPU and most of
 * its garbage: per field it allocates paths, argument maps and promise chains that a
 * compiled query knows in advance.
 *
 * Operations with @defer or @stream keep the interpreting executor: graphql-jit does not
 * implement incremental delivery. So does a document graphql-jit cannot compile (the
 * executor then reports the same validation-time errors it always did).
 */

const INCREMENTAL = new Set(['defer', 'stream']);

export function useCompiledExecution(): Plugin {
  const incremental = new WeakMap<DocumentNode, boolean>();
  const hasIncremental = (document: DocumentNode) => {
    let found = incremental.get(document);
    if (found === undefined) {
      found = false;
      visit(document, {
        Directive(node) {
          if (INCREMENTAL.has(node.name.value)) found = true;
        },
      });
      incremental.set(document, found);
    }
    return found;
  };
  return useGraphQlJit(
    {},
    {
      enableIf: (args) => !hasIncremental(args.document),
      // A document that does not compile was refused by validation already; this is not
      // reached with a valid one, and the executor answers it in any case.
      onError: () => {},
    },
  ) as Plugin;
}
