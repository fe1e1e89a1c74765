import type { Plugin } from 'graphql-yoga';
import { endBudget } from '../context.js';

/**
 * Ends a request's time budget (its timer, see `context.ts`) once its answer is written.
 * An answer sent in parts (@defer/@stream as multipart or SSE) is still running when its
 * response starts; its budget is left to end by itself, so the later parts keep their deadline.
 */
export function useRequestBudget(): Plugin {
  return {
    onResponse({ request, response }) {
      const type = response.headers.get('content-type') ?? '';
      if (type.startsWith('multipart/') || type.startsWith('text/event-stream')) return;
      endBudget(request);
    },
  };
}
