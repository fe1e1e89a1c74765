/**
 * A variable's value as a configuration message shows it: quoted, with a URL's credentials
 * masked, and cut after `MAX_SHOWN` characters. The messages go to the pod's log, which more
 * people read than may know the Redis password; and a value is as long as the shell lets it be.
 */

const MAX_SHOWN = 200;

/** A URL's `user:password@`: what precedes the last `@` of its authority, as URL parsers read it. */
const CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

export function shownValue(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  const masked = value.replace(CREDENTIALS, '$1***@');
  if (masked.length <= MAX_SHOWN) return JSON.stringify(masked);
  return `${JSON.stringify(masked.slice(0, MAX_SHOWN))}… (${masked.length} characters)`;
}
