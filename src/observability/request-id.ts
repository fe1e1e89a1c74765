import { randomUUID } from 'node:crypto';

/**
 * Every request's id: the client's `x-request-id` when it is a sane one, else a new UUID. The
 * same id goes into the log line, every upstream call and the response header.
 */

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    const given = request.headers.get('x-request-id');
    id = given !== null && REQUEST_ID.test(given) ? given : randomUUID();
    ids.set(request, id);
  }
  return id;
}
