import { setTimeout as sleep } from 'node:timers/promises';
import { callsBetween, zeroStats } from './calls.js';
import type { BenchOptions } from './cli.js';
import type { ContenderName } from './contenders.js';
import { post } from './correctness.js';
import { CpuMeter } from './cpu.js';
import { type PeakOptions, runPeak, type Sequence } from './load.js';
import { type Chaos, type Mocks, SERVICES, type Service } from './mocks.js';
import { type PacedOptions, runPaced } from './paced.js';
import type { Child } from './processes.js';
import type { QuietGate } from './quiet.js';
import {
  type CallsAlone,
  type Cell,
  type ContenderCell,
  type RunSample,
  spread,
} from './results.js';
import { askedOf, type Scenario } from './scenarios.js';

/**
 * One cell of the table: one scenario at one upstream latency, every contender. In order:
 * a discarded warm-up of each contender; upstream calls and latency of queries sent one at a
 * time; peak
 * rounds (A B C D E, A B C D E, …); then rounds at a fixed rate below every contender's peak,
 * where CPU per query and unloaded latency are read. The mocks are reset before every run,
 * so their counters hold that run's calls only. Each contender is asked the scenario in its
 * own schema when it has one (`askedOf`).
 */

export interface Arena {
  mocks: Mocks;
  mocksPid: number;
  contenders: Partial<Record<ContenderName, Child>>;
  options: BenchOptions;
  sequence: Sequence;
  quiet: QuietGate;
  log(line: string): void;
}

/** How long the services must see no new call before the contender counts as idle. */
const QUIET_MS = 150;
const QUIET_AT_MOST_MS = 10_000;
/**
 * Requests sent one at a time per contender, to count their calls exactly and time them
 * unloaded: enough for a median steady to a few tenths of a millisecond (20 were not).
 */
export const ALONE_QUERIES = 100;
/** Connections the paced load may open: far above what a sub-saturation rate needs. */
const PACED_MAX_IN_FLIGHT = 64;
/** The fixed rate is this share of the slowest contender's median peak. */
const FIXED_SHARE = 0.5;

export async function measureRun(
  arena: Arena,
  child: Child,
  scenario: Scenario,
  chaos: Partial<Record<Service, Chaos>>,
  load: ({ kind: 'peak' } & PeakOptions) | ({ kind: 'paced' } & PacedOptions),
): Promise<RunSample> {
  await arena.mocks.resetWith(chaos);
  await arena.quiet.wait();
  const meter = new CpuMeter({
    contender: child.pid,
    mocks: arena.mocksPid,
    loadTool: process.pid,
  });
  meter.start();
  const result =
    load.kind === 'peak'
      ? await runPeak(child.url, scenario, arena.sequence, load)
      : await runPaced(child.url, scenario, arena.sequence, load);
  const cpu = meter.stop();
  // A timed run (the warm-up) cuts the requests in flight at its end; the contender may go
  // on with them. Wait until it is idle, so their calls do not land in the next run's counts.
  // Counted runs end with every answer in.
  if (!('amount' in load)) await waitQuiet(arena.mocks);
  const upstream = callsBetween(zeroStats(), await arena.mocks.stats(), result.sent);
  return {
    load: result,
    cpu,
    cpuMsPerQuery: cpu.contender.cpuMs / result.completed,
    mocksCpuMsPerQuery: cpu.mocks.cpuMs / result.completed,
    upstream,
  };
}

/**
 * The contenders one query at a time, taking turns query by query (A B C D E A B …), so that
 * whatever drifts on this shared machine meanwhile lands on all of them alike. Each query is
 * timed alone and its calls counted from the services' counters read before and after it.
 */
async function callsAlone(
  arena: Arena,
  names: ContenderName[],
  scenario: Scenario,
  chaos: Partial<Record<Service, Chaos>>,
): Promise<Record<string, CallsAlone>> {
  await arena.mocks.resetWith(chaos);
  const tallies = names.map(() => ({
    perQuery: [] as number[],
    latencies: [] as number[],
    byService: Object.fromEntries(SERVICES.map((service) => [service, 0])) as Record<
      Service,
      number
    >,
  }));
  let previous = await arena.mocks.stats();
  for (let i = 0; i < ALONE_QUERIES; i += 1) {
    for (const [n, name] of names.entries()) {
      const tally = tallies[n] as (typeof tallies)[number];
      const child = arena.contenders[name] as Child;
      const request = askedOf(scenario, name).request(arena.sequence.take());
      const sentAt = performance.now();
      await post(child.url, request);
      tally.latencies.push(performance.now() - sentAt);
      const now = await arena.mocks.stats();
      const calls = callsBetween(previous, now, 1);
      tally.perQuery.push(calls.perQuery);
      for (const service of SERVICES) tally.byService[service] += calls.byService[service];
      previous = now;
    }
  }
  return Object.fromEntries(
    names.map((name, n) => {
      const tally = tallies[n] as (typeof tallies)[number];
      const total = tally.perQuery.reduce((sum, calls) => sum + calls, 0);
      return [
        name,
        {
          queries: ALONE_QUERIES,
          min: Math.min(...tally.perQuery),
          max: Math.max(...tally.perQuery),
          perQuery: total / ALONE_QUERIES,
          byService: Object.fromEntries(
            SERVICES.map((service) => [service, tally.byService[service] / ALONE_QUERIES]),
          ) as Record<Service, number>,
          latencyMs: spread(tally.latencies),
        },
      ];
    }),
  );
}

export async function measureCell(
  arena: Arena,
  scenario: Scenario,
  latencyMs: number,
  names: ContenderName[],
): Promise<Cell> {
  const { options } = arena;
  const chaos = arena.mocks.latency(latencyMs);
  const cell: Cell = {
    latencyMs,
    scenario: scenario.name,
    plan: scenario.plan,
    minimumCalls: scenario.minimumCalls,
    fixedRate: 0,
    contenders: {},
  };
  const child = (name: ContenderName) => arena.contenders[name] as Child;

  for (const name of names) cell.contenders[name] = { peak: [], fixed: [] };
  // The warm-up (timed, discarded) also tells how many requests make a run of about
  // `durationS` for each contender; the measured runs are counted, so that every request
  // sent is answered before the services' counters are read.
  const amountFor = new Map<ContenderName, number>();
  const amountAt = (rps: number) =>
    Math.max(2 * options.connections, Math.round(rps * options.durationS));
  arena.log(`    warm-up ${names.join(' ')}`);
  for (const name of names) {
    const warm = await measureRun(arena, child(name), askedOf(scenario, name), chaos, {
      kind: 'peak',
      connections: options.connections,
      durationS: options.warmupS,
    });
    amountFor.set(name, amountAt(warm.load.rps));
  }
  // Warm, then one at a time: calls counted per query, and the latency without concurrency.
  const alone = await callsAlone(arena, names, scenario, chaos);
  for (const name of names) (cell.contenders[name] as ContenderCell).alone = alone[name];
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const name of names) {
      const sample = await measureRun(arena, child(name), askedOf(scenario, name), chaos, {
        kind: 'peak',
        connections: options.connections,
        amount: amountFor.get(name) ?? 2 * options.connections,
      });
      const entry = cell.contenders[name] as ContenderCell;
      entry.peak.push(sample);
      amountFor.set(name, amountAt(spread(entry.peak.map((s) => s.load.rps)).median));
      arena.log(
        `    peak  round ${round} ${name.padEnd(6)} ${sample.load.rps.toFixed(0).padStart(6)} req/s  p50 ${sample.load.latencyMs.p50.toFixed(2)} ms  ${sample.upstream.perQuery.toFixed(2)} calls/q${badNote(sample)}`,
      );
    }
  }

  const peakOf = (name: ContenderName) =>
    spread(cell.contenders[name]?.peak.map((s) => s.load.rps) ?? []).median;
  // The naive and the Mesh peer may be far slower than the rest: they do not set the common
  // rate (the others' CPU/query would be read at a fraction of their load), and run at their
  // own half-peak when they cannot keep up with it.
  const setters = names.filter((name) => name !== 'naive' && name !== 'mesh');
  cell.fixedRate = Math.max(
    1,
    Math.floor(FIXED_SHARE * Math.min(...(setters.length > 0 ? setters : names).map(peakOf))),
  );
  for (const name of names) {
    const own = Math.max(1, Math.floor(FIXED_SHARE * peakOf(name)));
    (cell.contenders[name] as { fixedRate?: number }).fixedRate = Math.min(cell.fixedRate, own);
  }
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const name of names) {
      const rate = cell.contenders[name]?.fixedRate ?? cell.fixedRate;
      const sample = await measureRun(arena, child(name), askedOf(scenario, name), chaos, {
        kind: 'paced',
        maxInFlight: PACED_MAX_IN_FLIGHT,
        rate,
        amount: Math.max(1, Math.round(rate * options.durationS)),
      });
      cell.contenders[name]?.fixed.push(sample);
      arena.log(
        `    fixed round ${round} ${name.padEnd(6)} @${rate} req/s  p50 ${sample.load.latencyMs.p50.toFixed(2)} ms  p99 ${sample.load.latencyMs.p99.toFixed(2)} ms  ${sample.cpuMsPerQuery.toFixed(3)} CPU ms/q${badNote(sample)}`,
      );
    }
  }
  return cell;
}

async function waitQuiet(mocks: Mocks): Promise<void> {
  const deadline = performance.now() + QUIET_AT_MOST_MS;
  let last = -1;
  while (performance.now() < deadline) {
    const stats = await mocks.stats();
    const total = Object.values(stats).reduce((sum, s) => sum + s.total, 0);
    if (total === last) return;
    last = total;
    await sleep(QUIET_MS);
  }
}

function badNote(sample: RunSample): string {
  const { errors, firstBad } = sample.load;
  return errors > 0 ? `  ${errors} BAD ANSWERS, first: ${firstBad ?? 'a socket error'}` : '';
}
