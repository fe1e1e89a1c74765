import cluster, { type Worker } from 'node:cluster';

/**
 * Cluster mode (`WEB_CONCURRENCY=N`): one primary process forks N workers that share the
 * listening socket, so one host uses all its cores. The primary only supervises: it replaces a
 * worker that dies unexpectedly (at most one replacement per second, so a crash loop cannot
 * spin the CPU) and, on SIGTERM or SIGINT, passes SIGTERM to every worker, which drains its
 * requests as a single process would, and exits 0 once they all have.
 */

export interface ClusterOptions {
  workers: number;
  log(message: string, fields?: Record<string, unknown>): void;
}

const RESTART_INTERVAL_MS = 1_000; // 1s between replacements of crashed workers

export function runPrimary({ workers, log }: ClusterOptions): void {
  let stopping = false;
  let lastRestart = 0;
  const pendingForks = new Set<NodeJS.Timeout>();
  const running = () => Object.keys(cluster.workers ?? {}).length;

  const fork = (): Worker | undefined => (stopping ? undefined : cluster.fork());
  for (let i = 0; i < workers; i++) fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (running() === 0) exit();
      return;
    }
    log('worker died; replacing it', { pid: worker.process.pid, code, signal });
    const wait = Math.max(0, lastRestart + RESTART_INTERVAL_MS - Date.now());
    lastRestart = Date.now() + wait;
    const timer = setTimeout(() => {
      pendingForks.delete(timer);
      fork();
    }, wait);
    pendingForks.add(timer);
  });

  const exit = () => {
    log('all workers stopped');
    process.exit(0);
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // A replacement not forked yet never will be; with no worker left there is nothing to wait for.
    for (const timer of pendingForks) clearTimeout(timer);
    log(`${signal}: stopping ${running()} workers`);
    if (running() === 0) exit();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export const isPrimary = (): boolean => cluster.isPrimary;
