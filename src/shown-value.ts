/**
 * A variable's value as a configuration message shows it: quoted, with anything that may be a
 * credential masked, and cut after `MAX_SHOWN` characters. The messages go to the pod's log,
 * which more people read than may know the Redis password; and a value is as long as the
 * shell lets it be. The values shown are the ones that failed validation, typos and all, so
 * the masks do not rely on the value being a well-formed URL: they mask too much rather than
 * too little.
 */

const MAX_SHOWN = 200;

const MASKS: Array<[RegExp, string]> = [
  // Everything before the last `@` (a password may hold `/`, `#`, spaces or `@`), but a
  // scheme and its slashes however many: `redis://`, `redis:/`, `redis//` keep their shape.
  [/^(\s*[a-z][a-z0-9+.-]*:?\/*)?[\s\S]*@/i, '$1***@'],
  // Every parameter's value, after `?`, `&`, `#` or `;`, up to the next of those: a secret's
  // name need not say it is one (`#pw=…`).
  [/([?&#;][^=?&#;]*=)[^?&#;]*/g, '$1***'],
];

export function shownValue(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  const masked = MASKS.reduce((text, [pattern, mask]) => text.replace(pattern, mask), value);
  if (masked.length <= MAX_SHOWN) return JSON.stringify(masked);
  return `${JSON.stringify(masked.slice(0, MAX_SHOWN))}… (cut at ${MAX_SHOWN} characters)`;
}
