// The services' OpenAPI 3.1 documents, read from mock-services/openapi/. The documents are the
// source of truth, written and reviewed by hand: the mocks serve them, the tests check every
// request and answer against them, and the BFF's upstream types and validators are generated
// from them (`npm run upstreams:generate`). `controls.json` documents the test controls every
// mock serves besides its API; it is never part of a service's document.

import { readFileSync } from 'node:fs';
import type { ServiceName } from './names.js';

/** A JSON object of a document: data, checked by the tests against requests and answers. */
type Json = Record<string, unknown>;

const cache = new Map<string, Json>();

function read(name: string): Json {
  let document = cache.get(name);
  if (document === undefined) {
    const file = new URL(`./openapi/${name}.json`, import.meta.url);
    document = JSON.parse(readFileSync(file, 'utf8')) as Json;
    cache.set(name, document);
  }
  // A copy: a caller that edits its document (a test making a breaking change) edits only its own.
  return structuredClone(document);
}

/** The service's own API: what a client or gateway may know of it. */
export function openApiDocument(service: ServiceName): Json {
  return read(service);
}

/** `/__stats`, `/__reset`, `/__chaos` and `/openapi.json`: what every mock adds for tests. */
export function controlsDocument(): Json {
  return read('controls');
}
