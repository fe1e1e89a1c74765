import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceUrls } from './mocks.js';
import { upstreamEnv } from './mocks.js';
import type { Child, ProcessGroup } from './processes.js';

/**
 * The five servers measured side by side, each its own process on the contenders' core,
 * each printing `… listening on http://host:port/graphql` when ready.
 */

export const CONTENDERS = ['skyway', 'floor', 'naive', 'apollo', 'mesh'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export const CONTENDER_LABELS: Record<ContenderName, string> = {
  skyway: 'Skyway',
  floor: 'floor',
  naive: 'naive (no batching)',
  apollo: 'Apollo peer',
  mesh: 'Hive Gateway + Mesh peer',
};

export const CONTENDER_DESCRIPTIONS: Record<ContenderName, string> = {
  skyway:
    'the BFF as deployed, from its source: `node --max-semi-space-size=64 --import tsx src/server.ts` (`npm run serve` runs the same with the build), NODE_ENV=production; its rate limit on, with a refill of 1,000,000 points/s per caller so the load is never refused; its record cache off (UPSTREAM_RECORD_CACHE_SIZE=0), so that nothing is answered from a cache',
  floor:
    'hand-written aggregator (`bench/floor/`): plain undici + Promise.all, the fewest calls, the same JSON, the same token check; no GraphQL, no validation',
  naive: 'Skyway with LOADER_BATCHING=false: one upstream call per item',
  apollo:
    'Apollo Server 5 (standalone), a RESTDataSource per service per request with DataLoader over the batch routes (`bench/peers/apollo/`)',
  mesh: "Hive Gateway 2.15 (`@graphql-hive/gateway`, on `node:http`) serving a supergraph that GraphQL Mesh (`@graphql-mesh/compose-cli` 1.8, `@omnigraph/openapi` 0.112) composes at start from the five OpenAPI documents; links by `@resolveTo` with `keysArg` over the batch routes; tokens checked by the gateway's JWT plugin (`bench/peers/mesh/`). It serves the services' schema, so it is asked each screen in it (`bench/peers/mesh/operations.ts`)",
};

const ENTRIES: Record<ContenderName, string> = {
  skyway: '../src/server.ts',
  floor: './floor/server.ts',
  naive: '../src/server.ts',
  apollo: './peers/apollo/server.ts',
  mesh: './peers/mesh/server.ts',
};

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/**
 * Skyway's settings in the bench beyond its defaults. Its per-caller rate limit stays on (its
 * check is part of every request's cost) with a refill no load here can outrun: the bench's
 * 1,000 dispatchers asking for 500-point boards at hundreds per second would otherwise be
 * refused with RATE_LIMITED, and cheap refusals would flatter the figures.
 */
export const SKYWAY_BENCH_ENV: Record<string, string> = {
  RATE_LIMIT_RESTORE_PER_S: '1000000',
  // The method wants nothing answered from a cache: the bench's 1,000 accounts come back, and
  // their packages (which the service lets a cache keep) would be, while the others' are not.
  UPSTREAM_RECORD_CACHE_SIZE: '0',
  // Metrics listen on a port of their own (9464 by default): any free one, so contenders and
  // a developer's `npm start` never collide.
  METRICS_PORT: '0',
};

/**
 * The Node flags `npm run serve` starts Skyway with (its V8 settings, read from the root
 * package.json). Every contender gets the same ones, so no ratio owes anything to a runtime
 * setting the others could have had by adding a flag.
 */
export const SERVE_NODE_FLAGS: string[] = (() => {
  const manifest = JSON.parse(readFileSync(path('../package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const serve = manifest.scripts.serve ?? '';
  return [...serve.matchAll(/--max-[\w-]+=\d+/g)].map((match) => match[0]);
})();

export interface ContenderOptions {
  urls: ServiceUrls;
  core: number | null;
  /**
   * Write V8 CPU profiles on exit into `<profileDir>/<contender>/`, one per thread (tsx's
   * module loader has a thread of its own): the main thread's is the largest.
   */
  profileDir?: string;
  /** Settings on top of the contender's own, and the process's name for its log. */
  env?: Record<string, string>;
  processName?: string;
  /**
   * Another checkout of the repository to start the contender from (the before of an A/B,
   * with node_modules of its own or a link to these); this one when absent.
   */
  checkout?: string;
  /** Modules preloaded after the bench's own (`--import`), e.g. `probe/timeline.ts`. */
  preload?: string[];
}

export async function startContender(
  group: ProcessGroup,
  name: ContenderName,
  options: ContenderOptions,
): Promise<Child> {
  const profile: string[] = [];
  if (options.profileDir !== undefined) {
    const dir = `${options.profileDir}/${name}`;
    mkdirSync(dir, { recursive: true });
    profile.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  return group.start({
    name: options.processName ?? name,
    nodeArgs: [
      '--expose-gc',
      ...SERVE_NODE_FLAGS,
      ...profile,
      '--import',
      'tsx',
      '--import',
      path('./probe/memory.ts'),
      ...(options.preload ?? []).flatMap((module) => ['--import', module]),
      options.checkout === undefined
        ? path(ENTRIES[name])
        : join(options.checkout, 'bench', ENTRIES[name]),
    ],
    env: {
      ...upstreamEnv(options.urls),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      ...(name === 'skyway' || name === 'naive' ? SKYWAY_BENCH_ENV : {}),
      ...(name === 'naive' ? { LOADER_BATCHING: 'false' } : {}),
      ...options.env,
    },
    cwd: options.checkout ?? path('..'),
    ready: /listening on (http:\/\/\S+\/graphql)/,
    core: options.core,
    ipc: true,
  });
}
