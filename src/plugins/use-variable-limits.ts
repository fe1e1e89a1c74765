import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/**
 * Refuses variables of a hostile shape (nested too deep, too many values, an object with too
 * many keys) with BAD_USER_INPUT and HTTP 400, at `onParams`: before parsing, pricing, the
 * rate limit or anything else that walks variables by recursion. A list nested 40,000 deep fits
 * in a 100 KiB body, and `JSON.stringify` (the price cache's key) or graphql-js's coercion
 * would overflow the stack on it: a 500 and a stack trace in the log per request.
 *
 * The walk is hand-written because it must itself not recurse (an explicit stack) and stop at
 * the first limit crossed; graphql-armor and Envelop limit the document, not its variables.
 * The apps' variables are a few levels deep (an input object with a location in it) and a
 * few hundred values at most (`nodes(ids:)`), far inside the defaults.
 */

export interface VariableLimitsOptions {
  /**
   * Deepest nesting of lists and objects; the variables object itself is level 1.
   * @default 10
   */
  maxDepth?: number;
  /**
   * Values in all (every scalar, list and object counted once).
   * @default 2000
   */
  maxValues?: number;
  /**
   * Keys of any one object.
   * @default 100
   */
  maxKeys?: number;
}

export const DEFAULT_MAX_VARIABLE_DEPTH = 10;
export const DEFAULT_MAX_VARIABLE_VALUES = 2000;
export const DEFAULT_MAX_VARIABLE_KEYS = 100;

export function useVariableLimits(options: VariableLimitsOptions = {}): Plugin {
  const limits = {
    maxDepth: options.maxDepth ?? DEFAULT_MAX_VARIABLE_DEPTH,
    maxValues: options.maxValues ?? DEFAULT_MAX_VARIABLE_VALUES,
    maxKeys: options.maxKeys ?? DEFAULT_MAX_VARIABLE_KEYS,
  };
  return {
    onParams({ params }) {
      const problem = shapeProblem(params.variables, limits);
      if (problem === undefined) return;
      // A request error: nothing was parsed or run. 400 whatever the Accept (not `spec`, which
      // gives a legacy `application/json` client 200), as for variables of the wrong type.
      throw createGraphQLError(`The variables are ${problem}.`, {
        extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
      });
    },
  };
}

/** What is wrong with the shape of `variables`, or undefined when nothing is. */
export function shapeProblem(
  variables: unknown,
  limits: Required<VariableLimitsOptions>,
): string | undefined {
  if (variables === null || typeof variables !== 'object') return undefined;
  // Values are counted as they are found, so the stack never holds more than the limit.
  const stack: Array<{ value: object; depth: number }> = [{ value: variables, depth: 1 }];
  let values = 1;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next;
    if (depth > limits.maxDepth) return `nested more than ${limits.maxDepth} levels deep`;
    const children = Array.isArray(value) ? value : Object.values(value);
    if (!Array.isArray(value) && children.length > limits.maxKeys) {
      return `an object of more than ${limits.maxKeys} keys`;
    }
    values += children.length;
    if (values > limits.maxValues) return `more than ${limits.maxValues} values`;
    for (const child of children) {
      if (child !== null && typeof child === 'object')
        stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}
