import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/**
 * Every process the bench starts, tracked by pid, so that each is stopped at the end, on an
 * error and on Ctrl-C: SIGTERM, then SIGKILL after a grace period. Nothing is ever stopped by
 * name. A process is pinned to one core with `taskset -c` when pinning is on, and writes its
 * output to a log file in the group's folder.
 */

export interface ProcessSpec {
  name: string;
  /** Arguments to `node` (the same binary as the bench). */
  nodeArgs: string[];
  env: Record<string, string>;
  /** Working directory: the repository root, where `--import tsx` resolves. */
  cwd: string;
  /** Matched against each stdout line; the first capture group, if any, is the process's URL. */
  ready: RegExp;
  /** Core to pin to, or null. */
  core: number | null;
  /** How many stdout lines must match `ready` (a cluster: one per worker); 1 by default. */
  readyCount?: number;
  /** Opens an IPC channel (for the memory probe). */
  ipc?: boolean;
  readyTimeoutMs?: number;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** What the ready line's capture group said (the listening URL), or ''. */
  readonly url: string;
  /** Asks the memory probe (needs `ipc` and `--import bench/probe/memory.ts`). */
  memory(): Promise<MemorySample>;
  /** The last lines the process printed (from its log file), for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

/** Above Skyway's own shutdown deadline (SHUTDOWN_TIMEOUT_MS, 10 s by default). */
const GRACE_MS = 15_000;
const TAIL_LINES = 40;
const TAIL_BYTES = 16 * 1024;

export class ProcessGroup {
  readonly #children = new Map<number, ChildProcess>();

  constructor(
    private readonly taskset: boolean,
    /** Where each process's output goes, `<name>.log`. */
    readonly logDir: string,
  ) {}

  async start(spec: ProcessSpec): Promise<Child> {
    // Unpinned means every core. Started plainly, a child would inherit this process's own
    // pinning (the load tool's core) and share it with the load without anyone noticing.
    const cores = spec.core === null ? `0-${cpus().length - 1}` : String(spec.core);
    const command = this.taskset ? 'taskset' : process.execPath;
    const args = this.taskset ? ['-c', cores, process.execPath, ...spec.nodeArgs] : spec.nodeArgs;
    // Output goes to a file, never to a pipe this process must drain: a server that logs
    // every request (Skyway does) would block on a full pipe while the load tool is busy.
    const logPath = join(this.logDir, `${spec.name.replace(/[^\w.-]+/g, '_')}.log`);
    const fd = openSync(logPath, 'w');
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', fd, fd, ...(spec.ipc ? (['ipc'] as const) : [])],
    });
    closeSync(fd);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${spec.name}: could not be started`);
    this.#children.set(pid, child);
    child.once('exit', () => this.#children.delete(pid));
    const tail = () => tailOf(logPath);

    const url = await waitForReady(child, logPath, spec).catch(async (error: unknown) => {
      await this.#stop(child);
      throw new Error(`${spec.name}: ${error instanceof Error ? error.message : error}\n${tail()}`);
    });

    return {
      name: spec.name,
      pid,
      url,
      tail,
      memory: () => askMemory(child, spec.name),
      stop: () => this.#stop(child),
    };
  }

  /** Stops every process still running, in parallel. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#children.values()].map((child) => this.#stop(child)));
  }

  /** Last resort from a synchronous `exit` handler: SIGKILL whatever is left. */
  killAllNow(): void {
    for (const child of this.#children.values()) child.kill('SIGKILL');
  }

  async #stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      console.error(`${child.pid} did not stop within ${GRACE_MS} ms of SIGTERM: SIGKILL`);
      child.kill('SIGKILL');
    }, GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** Polls the log until `ready` has matched `readyCount` lines; the first capture is the URL. */
function waitForReady(child: ChildProcess, logPath: string, spec: ProcessSpec): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const deadline = performance.now() + (spec.readyTimeoutMs ?? 30_000);
    let offset = 0;
    let partial = '';
    let matched = 0;
    const onExit = (code: number | null) => {
      clearInterval(poll);
      reject(new Error(`exited (${code}) before it was ready`));
    };
    child.once('exit', onExit);
    const poll = setInterval(() => {
      const text = readFrom(logPath, offset);
      offset += Buffer.byteLength(text);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const match = spec.ready.exec(line);
        if (match === null) continue;
        matched += 1;
        if (matched === (spec.readyCount ?? 1)) {
          clearInterval(poll);
          child.off('exit', onExit);
          resolve(match[1] ?? '');
          return;
        }
      }
      if (performance.now() > deadline) {
        clearInterval(poll);
        child.off('exit', onExit);
        reject(new Error('not ready in time'));
      }
    }, 50);
  });
}

function readFrom(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log. */
function tailOf(path: string): string {
  const size = statSync(path).size;
  const text = readFrom(path, Math.max(0, size - TAIL_BYTES));
  return text.split('\n').slice(-TAIL_LINES).join('\n');
}

function askMemory(child: ChildProcess, name: string): Promise<MemorySample> {
  return new Promise((resolve, reject) => {
    if (!child.connected) {
      reject(new Error(`${name} has no IPC channel for the memory probe`));
      return;
    }
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${name}: the memory probe did not answer`));
    }, 10_000);
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('memory' in message)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve((message as { memory: MemorySample }).memory);
    };
    child.on('message', onMessage);
    child.send('memory?');
  });
}
