import type { BenchOptions } from './cli.js';
import type { ContenderName } from './contenders.js';
import type { CpuUse } from './cpu.js';
import type { LoadResult } from './load.js';
import type { CoreLayout, Machine, Source } from './machine.js';
import type { Service } from './mocks.js';
import type { MemorySample } from './processes.js';

/** The shape of `bench/results/<timestamp>.json`, and the small statistics it is made with. */

/** Median with the spread it was taken from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number };
}

/** Sizes of the `?ids=` calls one service received. */
export interface BatchSizes {
  /** Batch calls seen (the services keep the latest 10,000 each). */
  calls: number;
  min: number;
  median: number;
  max: number;
  mean: number;
}

/** Upstream calls caused by a number of queries. */
export interface UpstreamCalls {
  queries: number;
  perQuery: number;
  byService: Record<Service, number>;
  batchSizes: Partial<Record<Service, BatchSizes>>;
}

/** One measured run of one contender. */
export interface RunSample {
  load: LoadResult;
  /** `others`: every other process on the machine (the idle contenders included). */
  cpu: { contender: CpuUse; mocks: CpuUse; loadTool: CpuUse; others: CpuUse };
  /** Contender CPU ms per completed query. */
  cpuMsPerQuery: number;
  /** The mock services' CPU ms per completed query. */
  mocksCpuMsPerQuery: number;
  upstream: UpstreamCalls;
}

/** Calls of queries sent one at a time. */
export interface CallsAlone {
  queries: number;
  /** Fewest and most calls one query made. */
  min: number;
  max: number;
  perQuery: number;
  byService: Record<Service, number>;
  /** Each query's own time, one at a time: the latency without any concurrency. */
  latencyMs: Spread;
}

export interface ContenderCell {
  excluded?: string;
  alone?: CallsAlone;
  peak: RunSample[];
  fixed: RunSample[];
  /** The fixed rate this contender ran at (lower than the cell's when it could not sustain it). */
  fixedRate?: number;
}

export interface Cell {
  latencyMs: number;
  scenario: string;
  plan: string;
  minimumCalls: number;
  /** The sub-saturation rate of the CPU and latency runs, req/s. */
  fixedRate: number;
  contenders: Partial<Record<ContenderName, ContenderCell>>;
}

export interface CorrectnessResult {
  scenario: string;
  contender: ContenderName;
  requests: number;
  ok: boolean;
  /** The first difference from Skyway's answer, or what was wrong with it. */
  problem?: string;
}

export interface IsolationPhase {
  dronesHanging: boolean;
  foreground: LoadResult;
  background: LoadResult;
}

export interface IsolationResult {
  latencyMs: number;
  requestTimeoutMs: number;
  foregroundQuery: string;
  backgroundQuery: string;
  foregroundRate: number;
  backgroundRate: number;
  backgroundConnections: number;
  /** The load tool's own limit on an answer. */
  clientTimeoutMs: number;
  phases: IsolationPhase[];
}

/** One contender's burst of boards (`stampede.ts`). */
export interface StampedeRow {
  contender: string;
  /** Calls each service received for the whole burst. */
  calls: Record<Service, number>;
  total: number;
  /** When the last board of the burst was answered, ms after the first was sent. */
  lastMs: number;
  /** Boards not answered with a 200, `data` and no `errors`. */
  bad: number;
}

export interface StampedeResult {
  boards: number;
  latencyMs: number;
  rows: StampedeRow[];
}

export interface ClusterSample {
  load: LoadResult;
  /** CPU of the server's processes (primary and workers), in cores. */
  cores: number;
  mocksCores: number;
  loadToolCores: number;
  othersCores: number;
}

export interface ClusterResult {
  scenario: string;
  latencyMs: number;
  workers: number;
  connections: number;
  /** Which cores the processes had, and the load's priority. */
  layout?: string;
  single: ClusterSample[];
  cluster: ClusterSample[];
  /** Median peak req/s of the cluster ÷ the single process's. */
  gain: number;
}

export interface SoakResult {
  seconds: number;
  rate: number;
  latencyMs: number;
  load: LoadResult;
  start: MemorySample;
  end: MemorySample;
  /** RSS every few seconds during the soak, bytes. */
  rssTimeline: { atS: number; rss: number }[];
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  options: Omit<BenchOptions, 'parts'> & { parts: string[] };
  machine: Machine;
  source: Source;
  layout: CoreLayout;
  /** The machine's 1, 5 and 15 minute load averages when the run started and ended. */
  loadAverage: { start: number[]; end: number[] };
  /** Time spent waiting for other processes to quiet down before runs, and runs that could not. */
  quiet: { waitedMs: number; runsStartedBusy: number };
  fixtures: Record<string, number>;
  correctness: CorrectnessResult[];
  cells: Cell[];
  isolation?: IsolationResult;
  stampede?: StampedeResult;
  soak?: SoakResult;
  cluster?: ClusterResult;
  /** What makes the run fail (exit code 1): wrong answers before timing, a crash. */
  failures: string[];
  /** What the figures should be read with: bad answers under load, and the like. */
  warnings: string[];
}
