import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SERVE_NODE_FLAGS, SKYWAY_BENCH_ENV } from './contenders.js';
import { CpuMeter, childPids } from './cpu.js';
import { runPeak } from './load.js';
import { describeMachine, pinProcess } from './machine.js';
import type { Arena } from './measure.js';
import { upstreamEnv } from './mocks.js';
import { niceOf, setNice } from './priority.js';
import type { Child, ProcessGroup } from './processes.js';
import { type ClusterResult, type ClusterSample, spread } from './results.js';
import type { Scenario } from './scenarios.js';

/**
 * Cluster mode (`WEB_CONCURRENCY`): Skyway as one process against Skyway as a primary with
 * two workers, peak rounds in turn.
 *
 * On this 2-core machine the load tool and the mocks live on core 0, and a second worker can
 * only have what they leave of it. Two things keep the comparison about the server:
 * - The load tool and the mocks run at a higher priority (nice −10) for this part, standing
 *   in for clients and services on other hosts: when they want core 0 they get about nine
 *   tenths of it, and a worker mostly runs in what they leave idle.
 * - Each process is pinned: the single one to the last core, as in the rest of the bench,
 *   and the workers one per core. With every process free to run anywhere, the two workers
 *   and the single process met the same ceiling (the machine's two cores, of which the mocks
 *   and the load take half of one), and the cluster's extra process only added overhead.
 * The gain shown is what one core and the rest of another are worth, not 2×; the CPU each
 * side used is in the table.
 */
const PRIORITY_NICE = -10;

const WORKERS = 2;
const LATENCY_MS = 0;
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function startSkyway(
  arena: Arena,
  group: ProcessGroup,
  workers: number,
  core: number | null,
): Promise<Child> {
  return group.start({
    name: workers > 1 ? `skyway ×${workers}` : 'skyway ×1',
    nodeArgs: [...SERVE_NODE_FLAGS, '--import', 'tsx', path('../src/server.ts')],
    cwd: path('..'),
    env: {
      ...upstreamEnv(arena.mocks.urls),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      // Workers share one port: a fixed one, since each worker's listen(0) could differ.
      PORT: String(await freePort()),
      WEB_CONCURRENCY: String(workers),
      ...SKYWAY_BENCH_ENV,
    },
    ready: /listening on (http:\/\/\S+\/graphql)/,
    readyCount: workers,
    core,
  });
}

export async function measureCluster(
  arena: Arena,
  group: ProcessGroup,
  scenario: Scenario,
): Promise<ClusterResult> {
  const { options } = arena;
  // The machine's cores: this process is pinned, so availableParallelism() would say 1.
  const cores = cpus().length;
  const pinned = options.pin && cores >= WORKERS && describeMachine().taskset !== null;
  const lastCore = cores - 1;
  const single = await startSkyway(arena, group, 1, pinned ? lastCore : null);
  const clustered = await startSkyway(arena, group, WORKERS, null);
  const workerPids = childPids(clustered.pid);
  const workerCores = workerPids.map((_, i) => lastCore - (i % cores));
  // Raised only now: the servers would inherit the bench's priority had they started after.
  const raised = [process.pid, arena.mocksPid];
  const before = raised.map(niceOf);
  try {
    if (workerPids.length !== WORKERS) {
      throw new Error(`cluster: ${workerPids.length} workers found, ${WORKERS} expected`);
    }
    if (pinned) {
      for (const [i, pid] of workerPids.entries()) pinProcess(pid, workerCores[i] ?? lastCore);
    }
    for (const pid of raised) setNice(pid, PRIORITY_NICE);
    // Without the right to raise priority the load runs at its usual nice: the layout says so.
    const nice = raised.map(niceOf).join(' and ');
    const servers = [
      { key: 'single' as const, child: single, pids: [single.pid] },
      {
        key: 'cluster' as const,
        child: clustered,
        pids: [clustered.pid, ...workerPids],
      },
    ];
    const samples: Record<'single' | 'cluster', ClusterSample[]> = { single: [], cluster: [] };
    const chaos = arena.mocks.latency(LATENCY_MS);
    for (let round = 0; round <= options.rounds; round += 1) {
      for (const server of servers) {
        await arena.mocks.resetWith(chaos);
        await arena.quiet.wait();
        const meter = new CpuMeter<string>({
          ...Object.fromEntries(server.pids.map((pid) => [String(pid), pid])),
          mocks: arena.mocksPid,
          loadTool: process.pid,
        });
        meter.start();
        const load = await runPeak(server.child.url, scenario, arena.sequence, {
          connections: options.connections,
          // Round 0 is the warm-up.
          durationS: round === 0 ? options.warmupS : options.durationS,
        });
        const cpu = meter.stop();
        if (round === 0) continue;
        const cores = server.pids.reduce((sum, pid) => sum + (cpu[String(pid)]?.cores ?? 0), 0);
        samples[server.key].push({
          load,
          cores,
          othersCores: cpu.others?.cores ?? 0,
          mocksCores: cpu.mocks?.cores ?? 0,
          loadToolCores: cpu.loadTool?.cores ?? 0,
        });
        arena.log(
          `    round ${round} ${server.child.name.padEnd(22)} ${server.pids.length} processes ${load.rps.toFixed(0).padStart(6)} req/s  p50 ${load.latencyMs.p50.toFixed(2)} ms  ${(cores * 100).toFixed(0)}% of a core (mocks ${((cpu.mocks?.cores ?? 0) * 100).toFixed(0)}%, load tool ${((cpu.loadTool?.cores ?? 0) * 100).toFixed(0)}%, others ${((cpu.others?.cores ?? 0) * 100).toFixed(0)}%)${load.errors > 0 ? `  ${load.errors} BAD ANSWERS, first: ${load.firstBad}` : ''}`,
        );
      }
    }
    const rps = (key: 'single' | 'cluster') => spread(samples[key].map((s) => s.load.rps)).median;
    return {
      scenario: scenario.name,
      latencyMs: LATENCY_MS,
      workers: WORKERS,
      connections: options.connections,
      layout: pinned
        ? `one process on core ${lastCore}; workers one per core (${workerCores.join(', ')}); load tool and mocks on core 0 at nice ${nice}`
        : `unpinned; load tool and mocks at nice ${nice}`,
      single: samples.single,
      cluster: samples.cluster,
      gain: rps('cluster') / rps('single'),
    };
  } finally {
    await Promise.all([single.stop(), clustered.stop()]);
    for (const [i, pid] of raised.entries()) setNice(pid, before[i] ?? 0);
  }
}
