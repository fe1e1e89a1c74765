/**
 * What a client says about itself (its operation's name, its own name in `x-client-name`),
 * made safe to log and to use as a Prometheus label.
 *
 * Every distinct label value is a new series in every scrape: the first version labelled each
 * name it was sent, and 4,000 anonymous requests with invented names made 67,500 series and a
 * 24 MB `/metrics`. So a value is used only when it has the shape of a name (anything else is
 * `other`), and a label takes only the names it knows (the persisted-documents manifest's
 * operations) plus the first few others it meets; later newcomers are `other` too. Callers
 * label only requests that were admitted (past the rate limit), so refused requests cannot
 * take those places.
 */

/** The label value of anything that is not a known or early name. */
export const OTHER = 'other';

/** Operation names labelled beyond the manifest's, first come, first served. */
export const MAX_EXTRA_OPERATIONS = 50;
/** Client names labelled, first come, first served. */
export const MAX_CLIENTS = 20;

/** A GraphQL name (the grammar's), 64 characters at most. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/**
 * `ios-app`, `web`, `dispatch-console.v2`: a letter, then letters, digits, `_`, `.` or `-`, 32
 * characters at most. An e-mail address (`@`), a bearer token (a space, and longer than 32) or
 * a JWT (longer than 32) never has this shape.
 */
const CLIENT_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;

/** An operation's name as sent, when it has a name's shape; `other` when not. */
export function operationNameOf(name: string | null | undefined): string | undefined {
  if (name === null || name === undefined || name === '') return undefined;
  return OPERATION_NAME.test(name) ? name : OTHER;
}

/**
 * The app that sent a request, as it names itself (`x-client-name`, or Apollo's
 * `apollographql-client-name`), when that has a client name's shape; `other` when not;
 * undefined when it sent none. Only this value, never the header, reaches logs and labels.
 */
export function clientNameOf(request: Request): string | undefined {
  const given =
    request.headers.get('x-client-name') ?? request.headers.get('apollographql-client-name');
  if (given === null || given === '') return undefined;
  return CLIENT_NAME.test(given) ? given : OTHER;
}

/** `acc_0001`, an opaque id: word characters, `.`, `:` or `-`, 128 at most (no `@`, no space). */
const CALLER_ID = /^[\w.:-]{1,128}$/;

/**
 * The verified caller's id for the log: the token's subject as the issuer signed it, when it
 * has an id's shape (this system's account ids do); `other` when not, so that an issuer that
 * puts e-mail addresses or long text in `sub` does not put them in every log line.
 */
export function callerIdOf(accountId: string | undefined): string | undefined {
  if (accountId === undefined) return undefined;
  return CALLER_ID.test(accountId) ? accountId : OTHER;
}

/** A label's allowed values: the known ones, then the first `extra` others it is asked for. */
export class BoundedLabel {
  private readonly known: Set<string>;
  private readonly extra = new Set<string>();

  constructor(
    known: Iterable<string>,
    private readonly maxExtra: number,
  ) {
    this.known = new Set(known);
  }

  /** The value itself while it fits in the bound, else `other`. */
  valueOf(value: string): string {
    if (this.known.has(value) || this.extra.has(value)) return value;
    if (value === OTHER || this.extra.size >= this.maxExtra) return OTHER;
    this.extra.add(value);
    return value;
  }
}
