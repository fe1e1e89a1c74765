// Query strings: each route names the parameters it accepts, so a misspelt or repeated one is a
// 400 rather than silently ignored (a BFF sending `first=` instead of `limit=` should fail loudly).

import { badRequest } from './errors.js';

export function queryObject(
  query: URLSearchParams,
  allowed: readonly string[],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of query) {
    if (!allowed.includes(name)) {
      const accepted = allowed.length > 0 ? allowed.join(', ') : 'none';
      throw badRequest(`unknown query parameter "${name}" (accepted: ${accepted})`);
    }
    if (name in result) throw badRequest(`query parameter "${name}" is given more than once`);
    result[name] = value;
  }
  return result;
}

/** `a,b,,c` → `['a', 'b', 'c']`: the ids as asked, in order, duplicates kept. */
export function splitIds(value: string): string[] {
  return value.split(',').filter((id) => id !== '');
}
