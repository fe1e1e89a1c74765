import { Pool } from 'undici';

/**
 * The floor's view of the five services: one keep-alive undici Pool each (as many connections
 * as Skyway's default), a list read, and a batch read by ids split at the services' maximum
 * of 100. Bodies are parsed with `body.json()` and trusted: the floor does no validation.
 */

const MAX_IDS = 100;

export class Upstream {
  readonly #pool: Pool;

  constructor(origin: string) {
    this.#pool = new Pool(origin, {
      connections: 64,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  async get<T>(path: string): Promise<T> {
    const answer = await this.#pool.request({ method: 'GET', path });
    if (answer.statusCode !== 200) {
      await answer.body.dump();
      throw new Error(`GET ${path}: ${answer.statusCode}`);
    }
    return (await answer.body.json()) as T;
  }

  /** Records by id, in one call per 100 distinct ids; unknown ids are simply absent. */
  async many<T extends { id: string }>(
    collection: string,
    ids: Iterable<string>,
  ): Promise<Map<string, T>> {
    const distinct = [...new Set(ids)];
    const found = new Map<string, T>();
    if (distinct.length === 0) return found;
    const chunks: string[][] = [];
    for (let i = 0; i < distinct.length; i += MAX_IDS) chunks.push(distinct.slice(i, i + MAX_IDS));
    const answers = await Promise.all(
      chunks.map((chunk) => this.get<{ data: T[] }>(`${collection}?ids=${chunk.join(',')}`)),
    );
    for (const answer of answers) for (const record of answer.data) found.set(record.id, record);
    return found;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

export interface Upstreams {
  accounts: Upstream;
  deliveries: Upstream;
  packages: Upstream;
  drones: Upstream;
  payments: Upstream;
}

export function createUpstreams(env: NodeJS.ProcessEnv): Upstreams {
  const origin = (name: string, port: number) =>
    env[`UPSTREAM_${name.toUpperCase()}_URL`] || `http://127.0.0.1:${port}`;
  return {
    accounts: new Upstream(origin('accounts', 4101)),
    deliveries: new Upstream(origin('deliveries', 4102)),
    packages: new Upstream(origin('packages', 4103)),
    drones: new Upstream(origin('drones', 4104)),
    payments: new Upstream(origin('payments', 4105)),
  };
}
