import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { Child, ProcessGroup } from './processes.js';

/**
 * The five mock services as the bench drives them: over their test controls (`/__reset`,
 * `/__chaos`, `/__stats`) and their public routes, from outside their process.
 */

export const SERVICES = ['accounts', 'deliveries', 'packages', 'drones', 'payments'] as const;
export type Service = (typeof SERVICES)[number];
export type ServiceUrls = Record<Service, string>;

/** The environment the BFF and the mocks' entry read the URLs from. */
export function upstreamEnv(urls: ServiceUrls): Record<string, string> {
  return Object.fromEntries(
    SERVICES.map((name) => [`UPSTREAM_${name.toUpperCase()}_URL`, urls[name]]),
  );
}

export interface Chaos {
  latencyMs?: number;
  jitterMs?: number;
  hang?: boolean;
}

export interface BatchCall {
  route: string;
  ids: string[];
}

export interface ServiceStats {
  total: number;
  routes: Record<string, number>;
  batches: BatchCall[];
}

export type Stats = Record<Service, ServiceStats>;

export class Mocks {
  constructor(readonly urls: ServiceUrls) {}

  /** Zeroes the counters and clears chaos everywhere, then sets each service's chaos. */
  async resetWith(chaos: Partial<Record<Service, Chaos>>): Promise<void> {
    await Promise.all(
      SERVICES.map(async (name) => {
        await call(this.urls[name], 'POST', '/__reset');
        const settings = chaos[name];
        if (settings !== undefined) await call(this.urls[name], 'PUT', '/__chaos', settings);
      }),
    );
  }

  /** The same latency on every service. */
  latency(ms: number): Partial<Record<Service, Chaos>> {
    return Object.fromEntries(SERVICES.map((name) => [name, { latencyMs: ms }]));
  }

  async stats(): Promise<Stats> {
    const entries = await Promise.all(
      SERVICES.map(
        async (name) =>
          [name, (await call(this.urls[name], 'GET', '/__stats')) as ServiceStats] as const,
      ),
    );
    return Object.fromEntries(entries) as Stats;
  }

  async token(accountId: string, role: 'CUSTOMER' | 'DISPATCHER', ttlS: number): Promise<string> {
    const answer = (await call(this.urls.accounts, 'POST', '/v1/tokens', {
      accountId,
      role,
      ttlS,
    })) as { token: string };
    return answer.token;
  }

  /** Every record of a keyset-paginated list, in list order. */
  async listAll<T extends { id: string }>(service: Service, path: string): Promise<T[]> {
    const records: T[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = (await call(this.urls[service], 'GET', `${path}?limit=100${query}`)) as {
        data: T[];
        nextCursor: string | null;
      };
      records.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return records;
  }
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const answer = await request(`${base}${path}`, {
    method: method as 'GET',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await answer.body.text();
  if (answer.statusCode >= 300) {
    throw new Error(`${method} ${base}${path}: ${answer.statusCode} ${text.slice(0, 200)}`);
  }
  return text === '' ? null : (JSON.parse(text) as unknown);
}

/** The five services in one process of the group, on `core`, each on a free port. */
export async function startMocks(
  group: ProcessGroup,
  core: number | null,
): Promise<{ child: Child; urls: ServiceUrls }> {
  const anyPort = Object.fromEntries(
    SERVICES.map((name) => [name, 'http://127.0.0.1:0']),
  ) as ServiceUrls;
  const child = await group.start({
    name: 'mocks',
    nodeArgs: [
      '--import',
      'tsx',
      fileURLToPath(new URL('../mock-services/main.ts', import.meta.url)),
    ],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...upstreamEnv(anyPort), MOCK_HOST: '127.0.0.1' },
    ready: /^payments\s+http/,
    core,
  });
  const urls = {} as ServiceUrls;
  for (const match of child.tail().matchAll(/^(\w+)\s+(http:\/\/\S+)$/gm)) {
    const name = SERVICES.find((s) => s === match[1]);
    if (name !== undefined) urls[name] = match[2] as string;
  }
  if (SERVICES.some((name) => urls[name] === undefined)) {
    throw new Error(`could not read the mocks' URLs from:\n${child.tail()}`);
  }
  return { child, urls };
}
