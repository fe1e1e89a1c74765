import { badUserInput } from '../errors.js';

/**
 * Connection cursors. The deliveries service pages by keyset ("after this id"), so an edge's
 * cursor is its delivery's id, wrapped so that clients treat it as opaque and so that a
 * version prefix lets the format change later.
 */

const PREFIX = 'c1:';

export function encodeCursor(id: string): string {
  return Buffer.from(`${PREFIX}${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  const id = text.slice(PREFIX.length);
  if (!text.startsWith(PREFIX) || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw badUserInput('`after` is not a cursor this API gave out.');
  }
  return id;
}
