import { setTimeout as sleep } from 'node:timers/promises';
import { cpuTimeMs, machineBusyMs } from './cpu.js';

/**
 * This machine is shared: other people's processes (test runs, builds) come and go, unpinned,
 * on every core. Before each measured run the bench waits until they are quiet (busy less than
 * a quarter of a core over a short window), within a budget for the whole run so that a busy
 * machine delays the bench by minutes at most. What the others used during each run is
 * recorded either way.
 */

const WINDOW_MS = 200;
const QUIET_CORES = 0.25;

export class QuietGate {
  #budgetMs: number;
  waitedMs = 0;
  /** Runs started while the others were still busy (the budget was spent). */
  startedBusy = 0;

  constructor(
    /** Every process of the bench: their CPU is not "others". */
    private readonly ours: () => number[],
    budgetMs: number,
  ) {
    this.#budgetMs = budgetMs;
  }

  /** Others' CPU over a short window, in cores. */
  async others(): Promise<number> {
    const pids = [process.pid, ...this.ours()];
    const read = () => ({
      machine: machineBusyMs(),
      ours: pids.reduce((sum, pid) => sum + safeCpu(pid), 0),
    });
    const before = read();
    const started = performance.now();
    await sleep(WINDOW_MS);
    const after = read();
    const wall = performance.now() - started;
    return Math.max(0, after.machine - before.machine - (after.ours - before.ours)) / wall;
  }

  async wait(): Promise<void> {
    for (;;) {
      const started = performance.now();
      const busy = (await this.others()) >= QUIET_CORES;
      const spent = performance.now() - started;
      if (!busy) return;
      if (this.#budgetMs <= 0) {
        this.startedBusy += 1;
        return;
      }
      this.#budgetMs -= spent;
      this.waitedMs += spent;
    }
  }
}

function safeCpu(pid: number): number {
  try {
    return cpuTimeMs(pid);
  } catch {
    return 0; // gone
  }
}
