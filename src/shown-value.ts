/**
 * A variable's value as a configuration message shows it: quoted, with anything that may be a
 * credential masked, and cut after `MAX_SHOWN` characters. The messages go to the pod's log,
 * which more people read than may know the Redis password; and a value is as long as the
 * shell lets it be. The values shown are the ones that failed validation, typos included, so
 * the masks do not rely on the value being a well-formed URL: they mask too much rather than
 * too little.
 */

const MAX_SHOWN = 200;

const MASKS: Array<[RegExp, string]> = [
  // `//user:password@`, up to the last `@` (a password may hold an unescaped `/`, `#` or `@`),
  // wherever `//` is: `redis//:pw@host` (a scheme's colon missing) too.
  [/\/\/\S*@/g, '//***@'],
  // `user:password@` with no `//` before it (`redis:pw@host`).
  [/(^|\s)[^\s@/]*:[^\s@/]*@/g, '$1***@'],
  // A query parameter that names a secret (`?sentinelPassword=…`, `&token=…`).
  [/([?&][^=&#\s]*(?:pass|secret|token|key)[^=&#\s]*=)[^&#\s]*/gi, '$1***'],
];

export function shownValue(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  const masked = MASKS.reduce((text, [pattern, mask]) => text.replace(pattern, mask), value);
  if (masked.length <= MAX_SHOWN) return JSON.stringify(masked);
  return `${JSON.stringify(masked.slice(0, MAX_SHOWN))}… (${masked.length} characters)`;
}
