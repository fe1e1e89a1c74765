import { Cluster, type ClusterNode, type Command, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url.js';

/**
 * The one way the BFF connects to Redis, for every store that shares state between instances,
 * on each of the three topologies `redis-url.ts` reads. Every topology gets the same rules:
 *
 * - Deadline: a command is answered or fails within `commandTimeoutMs` of being issued, however
 *   many reconnects, redirections (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) or failovers fall inside
 *   it, so a Redis that is connected but silent (a partition with no reset) or changing masters
 *   fails requests promptly instead of hanging them past their deadline.
 * - Retries: within that deadline a command waits for the connection to come back (offline
 *   queue) and is re-sent after a dropped connection: once on one server or Sentinel's master,
 *   as often as ioredis's 16 redirections allow on a cluster. What the store does with a
 *   failure (fail closed, fail open) is the store's choice.
 * - Reconnects: quickly (50 ms, growing to 500 ms), so service resumes soon after a failover,
 *   and always: a connection only ends when `closeRedis` closes it.
 * - Connection errors surface on the commands that need Redis, never as an unhandled 'error'.
 */

/** A connection to Redis: one server (also the master Sentinels name) or a cluster. */
export type SharedRedis = Redis | Cluster;

export function connectRedis(url: string, commandTimeoutMs: number): SharedRedis {
  const target = parseRedisUrl(url);
  const options: RedisOptions = {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: reconnectDelay,
  };
  let redis: SharedRedis;
  switch (target.topology) {
    case 'standalone':
      redis = new Redis(target.url, options);
      break;
    case 'sentinel':
      redis = new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.masterName,
        username: target.username,
        password: target.password,
        sentinelRetryStrategy: reconnectDelay,
        // Sentinels announce +switch-master: reconnect to the new master at once, not after
        // the old one's connection times out.
        failoverDetector: true,
      });
      break;
    case 'cluster':
      redis = new DeadlineCluster(commandTimeoutMs, target.nodes, {
        redisOptions: { ...options, username: target.username, password: target.password },
        clusterRetryStrategy: reconnectDelay,
        enableOfflineQueue: true,
      });
      redis.on('node error', () => {});
      break;
  }
  redis.on('error', () => {});
  if (redis instanceof Redis) reviveWhenEnded(redis);
  return redis;
}

/** Connections `closeRedis` ended on purpose; any other end is ioredis giving up. */
const closed = new WeakSet<SharedRedis>();

/**
 * A connection that ends without `closeRedis` connects again. ioredis ends a connection for
 * good when its connector fails to connect instead of retrying, and on Sentinel that happens
 * in the middle of a failover: the failover detector disconnects the connector when the
 * Sentinels announce +switch-master, and if that notice lands while the connection is
 * already reconnecting (the old master died first), the reconnect attempt fails with
 * "Connection is closed." and the status becomes `end`. Every command would then fail at once,
 * forever (seen as a BFF answering UPSTREAM_UNAVAILABLE long after the failover healed).
 * ioredis has no option for this, so the one connection is simply connected again.
 */
function reviveWhenEnded(redis: Redis): void {
  redis.on('end', () => {
    if (closed.has(redis)) return;
    setTimeout(() => {
      if (redis.status === 'end' && !closed.has(redis)) redis.connect().catch(() => {});
    }, reconnectDelay(1)).unref();
  });
}

/**
 * Closes the connection, politely if Redis answers and at once if not (a dead cluster node
 * would keep QUIT waiting).
 */
export async function closeRedis(redis: SharedRedis): Promise<void> {
  closed.add(redis);
  const quit = redis.quit().then(
    () => true,
    () => false,
  );
  const timer = new Promise<boolean>((resolve) => setTimeout(resolve, 1_000, false).unref());
  if (!(await Promise.race([quit, timer]))) redis.disconnect();
}

/**
 * A key name whose hash tag is `tag`: Redis Cluster hashes only the part in braces, so every
 * key made with the same tag lands in the same slot, and one Lua script may touch all of them
 * atomically. Scripts must only be given keys of one tag. The tag is what ties keys together:
 * a caller's bucket, or an idempotency record's bucket shared with that bucket's index.
 *
 *   slotKey('skyway:rate:', 'acc_1')                 → skyway:rate:{acc_1}
 *   slotKey('skyway:idem:', 'idem7', 'Ab3…')         → skyway:idem:{idem7}:Ab3…
 *   slotKey('skyway:idem:', 'idem7', 'due')          → skyway:idem:{idem7}:due
 *
 * The prefix must hold no `{` or `}`: Redis hashes the first `{…}` of a key.
 */
export function slotKey(prefix: string, tag: string, part?: string): string {
  if (/[{}]/.test(prefix)) {
    throw new Error(`a key prefix holds no { or }: ${JSON.stringify(prefix)}`);
  }
  return part === undefined ? `${prefix}{${tag}}` : `${prefix}{${tag}}:${part}`;
}

/**
 * ioredis's Cluster applies `commandTimeout` per node, from when a command reaches a node's
 * connection: a command parked while the cluster finds its new masters would wait unbounded.
 * Starting the timer when the command is first issued gives one deadline across every retry
 * (a Command keeps its first timer).
 */
class DeadlineCluster extends Cluster {
  constructor(
    private readonly commandTimeoutMs: number,
    nodes: ClusterNode[],
    options: ConstructorParameters<typeof Cluster>[1],
  ) {
    super(nodes, options);
  }

  override sendCommand(command: Command, stream?: never, node?: unknown): unknown {
    // Unset only while super() runs, before any command can be issued.
    if (this.commandTimeoutMs !== undefined) command.setTimeout(this.commandTimeoutMs);
    return super.sendCommand(command, stream, node);
  }
}

function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, 500);
}
