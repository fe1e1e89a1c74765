import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type LimitReason, queryTooComplex } from '../errors.js';

/**
 * Refuses operations of an abusive shape at validation, whatever they would cost: too deep,
 * too many aliases (an alias bomb asks for one field a thousand times), too many directives.
 * The counting is graphql-armor's (fragments followed once, cycles included); its refusal is
 * reported as our QUERY_TOO_COMPLEX with `extensions.reason` and `extensions.limit` instead of
 * armor's uncoded "Syntax Error". These depend on the document alone, so Yoga's validation
 * cache may keep their verdicts.
 */

export interface ShapeLimitsOptions {
  /**
   * Deepest field nesting; fragments add no level, introspection is not counted.
   * @default 10
   */
  maxDepth?: number;
  /**
   * Aliased fields in one operation (`__typename` aside).
   * @default 30
   */
  maxAliases?: number;
  /**
   * Directives (`@include`, `@skip`) in one operation, all fields together.
   * @default 20
   */
  maxDirectives?: number;
}

export const DEFAULT_MAX_DEPTH = 10;
export const DEFAULT_MAX_ALIASES = 30;
export const DEFAULT_MAX_DIRECTIVES = 20;

export function useShapeLimits(options: ShapeLimitsOptions = {}): Plugin {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxAliases = options.maxAliases ?? DEFAULT_MAX_ALIASES;
  const maxDirectives = options.maxDirectives ?? DEFAULT_MAX_DIRECTIVES;
  const rules: ValidationRule[] = [
    maxDepthRule({
      n: maxDepth,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [report('DEPTH', maxDepth)],
    }),
    maxAliasesRule({
      n: maxAliases,
      propagateOnRejection: false,
      onReject: [report('ALIASES', maxAliases)],
    }),
    maxDirectivesRule({
      n: maxDirectives,
      propagateOnRejection: false,
      onReject: [report('DIRECTIVES', maxDirectives)],
    }),
  ];
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}

/** Armor's refusal as our coded error; armor's message names the limit and what it found. */
function report(reason: LimitReason, limit: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const message = error.message.replace(/^Syntax Error: /, '');
    context?.reportError(queryTooComplex(message, { reason, limit }));
  };
}
