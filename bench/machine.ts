import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

/** What the figures were measured on, and how the processes were spread over its cores. */

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** `taskset -V` when util-linux's taskset is installed, else null. */
  taskset: string | null;
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    taskset: tasksetVersion(),
  };
}

function tasksetVersion(): string | null {
  try {
    return execFileSync('taskset', ['-V'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return null;
  }
}

/**
 * Where each kind of process runs. With two cores or more: the contender alone on the last
 * core, the load tool (this process) and the mock services on core 0, so that what limits a
 * contender's throughput is its own core. Null cores mean "not pinned".
 */
export interface CoreLayout {
  pinned: boolean;
  loadTool: number | null;
  mocks: number | null;
  contenders: number | null;
  /** Why pinning is off, when it is. */
  note: string;
}

export function planCores(machine: Machine, wanted: boolean): CoreLayout {
  const off = (note: string): CoreLayout => ({
    pinned: false,
    loadTool: null,
    mocks: null,
    contenders: null,
    note,
  });
  if (!wanted) return off('pinning turned off (--no-pin)');
  if (machine.taskset === null) return off('taskset (util-linux) is not installed: not pinned');
  if (machine.cores < 2) return off('one core only: not pinned');
  const last = machine.cores - 1;
  return {
    pinned: true,
    loadTool: 0,
    mocks: 0,
    contenders: last,
    note: `load tool and mocks on core 0, the contender under test alone on core ${last}`,
  };
}

/** Pins this process (every thread: the load tool runs here) to one core. */
export function pinSelf(core: number): void {
  pinProcess(process.pid, core);
}

/** Pins a running process, every thread of it, to one core. */
export function pinProcess(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
}

/** The code measured: the commit, and the files under src/ that differ from it. */
export interface Source {
  commit: string;
  uncommitted: string[];
}

export function describeSource(repo: string): Source {
  // Not trimmed: a porcelain line starts with its status, which may be a space.
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: 'pipe' }).trimEnd();
  try {
    const uncommitted = git('status', '--porcelain', '--', 'src')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.slice(3));
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommitted };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}
