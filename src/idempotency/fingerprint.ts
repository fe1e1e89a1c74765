import { createHash } from 'node:crypto';

/**
 * The fingerprint of a mutation's input: a hash of its canonical JSON (keys sorted at every
 * level, `undefined` dropped), so the same input in another key order or with a field spelled
 * `null` versus left out in the same way is the same request.
 */
export function fingerprint(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('base64url');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
