import { Redis } from 'ioredis';

/**
 * The one way the BFF connects to Redis, for every store that shares state between instances.
 * A command waits at most `commandTimeout` for an answer, so a Redis that is connected but
 * silent (a partition with no reset) fails requests promptly instead of hanging them past
 * their deadline; connection errors surface on the commands that need Redis, never as an
 * unhandled 'error' event.
 */
export function connectRedis(url: string, commandTimeoutMs: number): Redis {
  const redis = new Redis(url, {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    // While reconnecting, commands wait (up to commandTimeout) rather than fail at once.
    enableOfflineQueue: true,
  });
  redis.on('error', () => {});
  return redis;
}
