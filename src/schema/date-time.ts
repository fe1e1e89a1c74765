import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.js';

/** RFC 3339 timestamps, as the services send them. Serialized as the service wrote them. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parse(value: unknown): string {
  if (typeof value !== 'string' || !RFC_3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z.');
  }
  return value;
}

builder.scalarType('DateTime', {
  description: 'An instant, as an RFC 3339 timestamp (2026-01-31T12:00:00Z).',
  // Output values come from upstream records, whose timestamps were checked against the
  // same format at the boundary (records.ts); checking every one again on the way out cost
  // a regex and a Date.parse per timestamp.
  serialize: (value) => (typeof value === 'string' ? value : parse(value)),
  parseValue: (value) => parse(value),
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
});
