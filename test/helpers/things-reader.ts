import { z } from 'zod';
import { DEFAULT_RESILIENCE, type ResilienceOptions } from '../../src/resilience/options.js';
import type { AnswerSchema } from '../../src/upstreams/answer-schema.js';
import { UpstreamHttpClient } from '../../src/upstreams/http-client.js';
import { ResourceReader } from '../../src/upstreams/resource.js';

/**
 * A `ResourceReader` of `/v1/things` at `origin` (a test's own server), with a record cache:
 * for tests of what the reader keeps and shares. Each thing is `{ id, … }` as `thing` says.
 */
export function thingsReader<T extends { id: string }>(
  origin: string,
  thing: z.ZodType<T> & AnswerSchema<T>,
  resilience: ResilienceOptions = DEFAULT_RESILIENCE,
): { reader: ResourceReader<T>; close: () => Promise<void> } {
  const http = new UpstreamHttpClient('packages', origin, {
    connections: 8,
    maxBodyBytes: 4096,
    resilience,
    recordCacheSize: 100,
  });
  const reader = new ResourceReader(http, '/v1/things', thing, z.object({ data: z.array(thing) }));
  return { reader, close: () => http.close() };
}
