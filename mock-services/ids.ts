// Ids are a prefix and a zero-padded number, so that string order is numeric order: keyset
// pagination and the sorted id indexes compare ids as plain strings.

import { z } from 'zod';

export const ID_FORMATS = {
  account: { prefix: 'acc_', digits: 4 },
  delivery: { prefix: 'del_', digits: 6 },
  package: { prefix: 'pkg_', digits: 6 },
  drone: { prefix: 'drn_', digits: 3 },
  charge: { prefix: 'chg_', digits: 6 },
} as const;

export type IdKind = keyof typeof ID_FORMATS;

/** The largest number an id of this kind can carry before it would stop sorting as a string. */
export function maxIdNumber(kind: IdKind): number {
  return 10 ** ID_FORMATS[kind].digits - 1;
}

export function formatId(kind: IdKind, n: number): string {
  const { prefix, digits } = ID_FORMATS[kind];
  if (!Number.isInteger(n) || n < 1 || n > maxIdNumber(kind)) {
    throw new RangeError(
      `${kind} id number must be an integer in 1..${maxIdNumber(kind)}, got ${n}`,
    );
  }
  return prefix + String(n).padStart(digits, '0');
}

/** The id that follows the highest one in `ascendingIds` (the first id when empty). */
export function nextId(kind: IdKind, ascendingIds: readonly string[]): string {
  const last = ascendingIds.at(-1);
  const n = last === undefined ? 0 : Number(last.slice(ID_FORMATS[kind].prefix.length));
  return formatId(kind, n + 1);
}

/** Ids (and cursors) as clients send them: any non-empty string up to 64 characters. */
export const idSchema = z.string().min(1).max(64);
