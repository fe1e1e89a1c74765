import { type DocumentNode, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Answers an operation with @defer or @stream in one piece to a client that cannot read
 * incremental delivery: its Accept names none of `multipart/mixed`, `text/event-stream` and
 * the wildcard type (a client that takes anything is answered in parts, as Yoga would).
 *
 * Both directives are hints that a server may ignore (the incremental-delivery RFC says so),
 * and without this Yoga would run the operation, upstream calls included, and only then answer
 * 406 for want of a format. Dropping the directives before execution gives that client the
 * same data in one answer, so an app team can ship one persisted document with @defer to app
 * versions with and without multipart support.
 */

const INCREMENTAL = new Set(['defer', 'stream']);
const INCREMENTAL_TYPES = ['multipart/mixed', 'text/event-stream', '*/*'];

export function useDeferFallback(): Plugin {
  const flattened = new WeakMap<DocumentNode, DocumentNode>();
  const flatten = (document: DocumentNode) => {
    let result = flattened.get(document);
    if (!result) {
      result = hasIncremental(document) ? withoutIncremental(document) : document;
      flattened.set(document, result);
    }
    return result;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (!request || acceptsIncremental(request.headers.get('accept'))) return;
      setExecuteFn((execution) =>
        executeFn({ ...execution, document: flatten(execution.document) }),
      );
    },
  };
}

/** True when a response may be multipart or SSE; a missing Accept accepts anything. */
export function acceptsIncremental(accept: string | null): boolean {
  if (accept === null || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((item) => item.split(';')[0]?.trim().toLowerCase())
    .some((type) => type !== undefined && INCREMENTAL_TYPES.includes(type));
}

/** Whether a document uses @defer or @stream anywhere. */
export function hasIncremental(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (INCREMENTAL.has(node.name.value)) found = true;
    },
  });
  return found;
}

function withoutIncremental(document: DocumentNode): DocumentNode {
  return visit(document, {
    [Kind.DIRECTIVE](node) {
      // null deletes the node from its parent's directive list.
      return INCREMENTAL.has(node.name.value) ? null : undefined;
    },
  });
}
