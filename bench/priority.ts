import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Scheduling priority (nice) of whole processes. On Linux nice belongs to each thread, so
 * every thread of the process is set, not only its main one.
 *
 * The cluster part uses it on a machine whose cores the load tool and the mocks share with
 * the servers measured: raised above the workers, they stand in for clients and services on
 * other hosts, which a server's workers do not take CPU from (nice −10 against 0 is a 9:1
 * share under Linux's scheduler, not a strict priority). Without it, a worker that lands
 * on their core slows every request's upstream calls and the load itself, and the figures
 * measure the scheduler, not the server.
 */
export function setNice(pid: number, nice: number): void {
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    threads = [pid];
  }
  for (const tid of threads) {
    try {
      setPriority(tid, nice);
    } catch {
      // A thread that ended meanwhile, or no permission to raise priority: left as it is.
    }
  }
}

/** The nice value of a process's main thread. */
export function niceOf(pid: number): number {
  return getPriority(pid);
}
