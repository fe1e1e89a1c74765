import { randomFillSync, randomUUID } from 'node:crypto';

/**
 * Every request's id: the client's `x-request-id` when it is a sane one, else a new UUID. The
 * same id goes into the log line, every upstream call and the response header.
 */

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The id a request is known by: read once, when its scope is made (`request-scope.ts`). */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get('x-request-id');
  return given !== null && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * `bytes` random bytes as hex, for trace and span ids. Taken from a pool refilled 4 KiB at a
 * time, as Node does for `randomUUID`: `randomBytes` per id allocated a buffer and crossed into
 * C++ for 8 or 16 bytes, twice a request (1 % of the BFF's CPU in the bench).
 */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
