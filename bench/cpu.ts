import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of a process, read from /proc: `utime + stime` of /proc/<pid>/stat
 * (every thread of the process: JavaScript, the garbage collector's helpers, libuv's pool)
 * in clock ticks, and VmRSS of /proc/<pid>/status.
 */

const TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** The resolution of the CPU figures, in ms (10 ms at the usual 100 ticks per second). */
export const CPU_TICK_MS = 1000 / TICKS_PER_SECOND;

/** User plus system CPU time the process has used so far, in ms. */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime), counted from 1; `fields` starts at field 3.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU time all cores of the machine have spent busy so far (the first line of /proc/stat), ms. */
export function machineBusyMs(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const f = first.trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number) => f[i] ?? 0;
  const busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
  return (busy * 1000) / TICKS_PER_SECOND;
}

/** The pids whose parent is `pid` (a cluster primary's workers), from /proc. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export interface CpuUse {
  /** CPU time used over the window, ms. */
  cpuMs: number;
  /** Share of one core over the window (1 = one core busy all the time). */
  cores: number;
}

/**
 * CPU used by a set of named processes between `start()` and `stop()`, and by everything else
 * on the machine (`others`: the machine's busy time less the named processes').
 */
export class CpuMeter<Name extends string> {
  readonly #pids: Record<Name, number>;
  #before: Record<string, number> = {};
  #machineBefore = 0;
  #startedAt = 0;

  constructor(pids: Record<Name, number>) {
    this.#pids = pids;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#machineBefore = machineBusyMs();
    this.#before = this.#read();
  }

  stop(): Record<Name | 'others', CpuUse> {
    const after = this.#read();
    const machineMs = machineBusyMs() - this.#machineBefore;
    const wallMs = performance.now() - this.#startedAt;
    const use = {} as Record<Name | 'others', CpuUse>;
    const of = (cpuMs: number): CpuUse => ({ cpuMs, cores: wallMs > 0 ? cpuMs / wallMs : 0 });
    let named = 0;
    for (const name of Object.keys(this.#pids) as Name[]) {
      const cpuMs = (after[name] ?? 0) - (this.#before[name] ?? 0);
      named += cpuMs;
      use[name] = of(cpuMs);
    }
    use.others = of(Math.max(0, machineMs - named));
    return use;
  }

  #read(): Record<string, number> {
    const now: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.#pids) as [Name, number][]) {
      now[name] = cpuTimeMs(pid);
    }
    return now;
  }
}
