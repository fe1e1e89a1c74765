// Reading request bodies and writing JSON answers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError } from './errors.js';

/** Bodies above this are answered 413. */
export const MAX_BODY_BYTES = 1024 * 1024; // 1 MB

/**
 * Reads the whole body as UTF-8. Past the limit it keeps draining without storing, and only then
 * fails with 413: answering while the client is still uploading would make many clients see a
 * reset connection instead of the 413.
 */
export function readBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limitBytes) {
        reject(
          new HttpError(413, 'PAYLOAD_TOO_LARGE', `body is over the ${limitBytes}-byte limit`),
        );
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(badRequest('request aborted before its body was complete'));
    });
  });
}

/** Parses a JSON body; an empty body is `undefined`. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('body is not valid JSON');
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Sends text that is meant to be JSON as is; chaos uses it for bodies that are not. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
