import { shownValue } from '../shown-value.js';

/**
 * The three ways a store names its Redis, read from one string so that `IDEMPOTENCY_STORE` and
 * `RATE_LIMIT_STORE` stay single variables:
 *
 *   redis://[user:pass@]host:port[/db]                 one server (rediss:// for TLS)
 *   redis+cluster://[user:pass@]host:port,host:port    Redis Cluster, any of its nodes as seeds
 *   redis+sentinel://[user:pass@]host:port,…/mastername the master that these Sentinels name
 *
 * Hand-written because a WHATWG URL holds one host: no library reads a host list, and ioredis
 * takes the list as objects. Credentials are the data nodes'; Sentinels are asked without.
 */

export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { topology: 'standalone'; url: string }
  | { topology: 'cluster'; nodes: RedisNode[]; username?: string; password?: string }
  | {
      topology: 'sentinel';
      sentinels: RedisNode[];
      masterName: string;
      username?: string;
      password?: string;
    };

const MULTI_HOST = /^redis\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/;
const NODE = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/;

/** The target a store URL names; throws with the reason when it names none. */
export function parseRedisUrl(text: string): RedisTarget {
  if (/^rediss?:\/\/./.test(text)) return { topology: 'standalone', url: text };
  const match = MULTI_HOST.exec(text);
  if (!match) {
    throw new Error(
      `not a redis://, redis+cluster://host:port,… or redis+sentinel://host:port,…/master URL: ${shownValue(text)}`,
    );
  }
  const [, kind, auth, hostList = '', path = ''] = match;
  const credentials = credentialsOf(auth);
  if (kind === 'cluster') {
    if (path !== '') throw new Error(`a redis+cluster:// URL has no path (got /${path})`);
    return { topology: 'cluster', nodes: nodesOf(hostList, 6379), ...credentials };
  }
  const masterName = decodeURIComponent(path);
  if (masterName === '') {
    throw new Error(
      'a redis+sentinel:// URL names its master: redis+sentinel://host:port/mymaster',
    );
  }
  return { topology: 'sentinel', sentinels: nodesOf(hostList, 26379), masterName, ...credentials };
}

/** Whether `text` is a URL `parseRedisUrl` reads (for config validation). */
export function isRedisUrl(text: string): boolean {
  try {
    parseRedisUrl(text);
    return true;
  } catch {
    return false;
  }
}

function nodesOf(list: string, defaultPort: number): RedisNode[] {
  return list.split(',').map((entry) => {
    const match = NODE.exec(entry);
    const port = Number(match?.[3] ?? defaultPort);
    if (!match || port < 1 || port > 65535) {
      throw new Error(`not a host:port: ${JSON.stringify(entry)}`);
    }
    return { host: (match[1] ?? match[2]) as string, port };
  });
}

function credentialsOf(auth: string | undefined): { username?: string; password?: string } {
  if (auth === undefined || auth === '') return {};
  const colon = auth.indexOf(':');
  if (colon === -1) return { password: decodeURIComponent(auth) };
  const username = decodeURIComponent(auth.slice(0, colon));
  const password = decodeURIComponent(auth.slice(colon + 1));
  return { ...(username === '' ? {} : { username }), password };
}
