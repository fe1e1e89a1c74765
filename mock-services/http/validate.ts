// Zod failures become 400 answers whose message names the field, never a stack trace.

import type { z } from 'zod';
import { badRequest } from './errors.js';

const MAX_ISSUES_IN_MESSAGE = 5;

/** Parses `value` with `schema`, or throws a 400 naming each bad field under `where`. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  throw badRequest(issues.join('; '));
}
