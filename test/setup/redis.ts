import type { TestProject } from 'vitest/node';
import {
  answersPing,
  hasRedisServer,
  REDIS_MISSING,
  type RedisServer,
  startRedisServer,
} from '../helpers/redis-server.js';

/**
 * The Redis the suites share (idempotency and rate-limit stores over a real connection):
 * `REDIS_URL` when it is set, else a `redis-server` of this run's own on a free port, stopped
 * when the run ends, so a test run needs no Redis already running and leaves nothing behind.
 * Tests reach it with `inject('redisUrl')` (see `test/helpers/redis.ts`).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.REDIS_URL;
  if (given) {
    const { hostname, port } = new URL(given);
    if (!(await answersPing(Number(port || 6379), hostname || '127.0.0.1'))) {
      throw new Error(
        `REDIS_URL=${given} does not answer PING; unset it to let the tests start their own redis-server`,
      );
    }
    project.provide('redisUrl', given);
    return async () => {};
  }
  if (!hasRedisServer()) throw new Error(`The tests need Redis. ${REDIS_MISSING}`);
  const server: RedisServer = await startRedisServer();
  project.provide('redisUrl', server.url);
  return () => server.kill();
}
