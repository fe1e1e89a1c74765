import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, type RedisServer, startRedisServer } from './redis-server.js';

/**
 * Real Redis topologies started by a test file and torn down by it: a cluster of three masters
 * and three replicas, and a master with a replica watched by three Sentinels. Timings are cut
 * down (a node is judged dead after 500 ms) so that a failover takes seconds, not the
 * production default's tens of seconds; nothing is written to disk.
 */

export interface RedisTopology {
  /** The store URL naming it (`redis+cluster://…`, `redis+sentinel://…/mymaster`). */
  url: string;
  /** SIGKILLs the master that serves `key` (the whole master, for Sentinel). */
  killMasterOf(key: string): Promise<void>;
  /** Resolves once every slot is served again by a live master. */
  healed(): Promise<void>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const NODE_TIMEOUT_MS = 500;

export async function startRedisCluster(): Promise<RedisTopology> {
  // Each node also listens on a cluster bus port, chosen free as well.
  const ports = await distinctFreePorts(12);
  const nodes = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      startRedisServer(
        [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          String(NODE_TIMEOUT_MS),
          '--cluster-port',
          String(ports[i + 6]),
          // A replica may always take over, however long it was cut off.
          '--cluster-replica-validity-factor',
          '0',
        ],
        { port: ports[i] },
      ),
    ),
  );
  const stop = () => Promise.all(nodes.map((node) => node.kill())).then(() => {});
  try {
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await until(() => clusterHealthy(nodes), 'the cluster to form');
  } catch (error) {
    await stop();
    throw error;
  }
  const live = () =>
    nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
  return {
    url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    async killMasterOf(key) {
      const port = (live()[0] as RedisServer).port;
      const slot = (await ask(port, (redis) => redis.cluster('KEYSLOT', key))) as number;
      const ranges = await ask(port, (redis) => redis.cluster('SLOTS'));
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
      await nodes.find((node) => node.port === owner)?.kill();
    },
    healed: () => until(() => clusterHealthy(live()), 'the cluster to fail over'),
    stop,
  };
}

/** Every live node says the cluster is ok and has every slot served by a live master. */
async function clusterHealthy(nodes: RedisServer[]): Promise<boolean> {
  const ports = new Set(nodes.map((node) => node.port));
  const views = await Promise.all(
    nodes.map(async (node) => {
      const info = await ask(node.port, (redis) => redis.cluster('INFO'));
      const ranges = await ask(node.port, (redis) => redis.cluster('SLOTS'));
      return (
        /cluster_state:ok/.test(info) &&
        ranges.reduce((slots, [from, to]) => slots + to - from + 1, 0) === 16384 &&
        ranges.every((range) => ports.has(Number(range[2]?.[1])))
      );
    }),
  );
  return views.every(Boolean);
}

export async function startRedisSentinel(masterName = 'mymaster'): Promise<RedisTopology> {
  const master = await startRedisServer();
  const replica = await startRedisServer(['--replicaof', '127.0.0.1', String(master.port)]);
  const sentinels: RedisServer[] = [];
  const dirs: string[] = [];
  const stop = async () => {
    await Promise.all([master, replica, ...sentinels].map((server) => server.kill()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      async () =>
        /master_link_status:up/.test(await ask(replica.port, (r) => r.info('replication'))),
      'the replica to sync',
    );
    for (let i = 0; i < 3; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'skyway-sentinel-'));
      dirs.push(dir);
      const config = join(dir, 'sentinel.conf');
      // Sentinel rewrites its own file, so each gets a writable copy.
      writeFileSync(
        config,
        [
          `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${masterName} ${NODE_TIMEOUT_MS}`,
          `sentinel failover-timeout ${masterName} 2000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(await startRedisServer(['--sentinel'], { leading: [config] }));
    }
    // Sentinels find each other through the master every 2 s; a failover needs a quorum of them.
    await until(async () => {
      const views = await Promise.all(
        sentinels.map((s) => ask(s.port, (r) => r.call('SENTINEL', 'MASTER', masterName))),
      );
      return views.every((view) => {
        const fields = view as string[];
        return (
          fields[fields.indexOf('num-other-sentinels') + 1] === '2' &&
          fields[fields.indexOf('num-slaves') + 1] === '1'
        );
      });
    }, 'the Sentinels to see each other and the replica');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${masterName}`,
    async killMasterOf() {
      await master.kill();
    },
    healed: () =>
      until(async () => {
        const address = (await ask(sentinels[0]?.port ?? 0, (r) =>
          r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName),
        )) as [string, string];
        if (Number(address[1]) !== replica.port) return false;
        return /role:master/.test(await ask(replica.port, (r) => r.info('replication')));
      }, 'the Sentinels to promote the replica'),
    stop,
  };
}

/** One command on a fresh connection to 127.0.0.1:`port`, which fails instead of waiting. */
async function ask<T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 500,
    commandTimeout: 500,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await command(redis);
  } finally {
    redis.disconnect();
  }
}

/** Polls `condition` every 50 ms for up to 20 s: waits for a state, not for a time. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
