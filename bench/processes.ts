import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Every process the bench starts, tracked by pid, so that each is stopped at the end, on an
 * error and on Ctrl-C: SIGTERM, then SIGKILL after a grace period. Nothing is ever stopped by
 * name. A process is pinned to one core with `taskset -c` when pinning is on.
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
  /** The last lines the process printed, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

/** Above Skyway's own shutdown deadline (SHUTDOWN_TIMEOUT_MS, 10 s by default). */
const GRACE_MS = 15_000;
const TAIL_LINES = 40;

export class ProcessGroup {
  readonly #children = new Map<number, ChildProcess>();

  constructor(private readonly taskset: boolean) {}

  async start(spec: ProcessSpec): Promise<Child> {
    const pinned = this.taskset && spec.core !== null;
    const command = pinned ? 'taskset' : process.execPath;
    const args = pinned
      ? ['-c', String(spec.core), process.execPath, ...spec.nodeArgs]
      : spec.nodeArgs;
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe', ...(spec.ipc ? (['ipc'] as const) : [])],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${spec.name}: could not be started`);
    this.#children.set(pid, child);
    child.once('exit', () => this.#children.delete(pid));

    const lines: string[] = [];
    const remember = (line: string) => {
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
    };
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${spec.name} not ready in time:\n${lines.join('\n')}`)),
        spec.readyTimeoutMs ?? 30_000,
      );
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(
          new Error(`${spec.name} exited (${code}) before it was ready:\n${lines.join('\n')}`),
        );
      };
      child.once('exit', onExit);
      readLines(child.stderr, remember);
      readLines(child.stdout, (line) => {
        remember(line);
        const match = spec.ready.exec(line);
        if (match) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(match[1] ?? '');
        }
      });
    }).catch(async (error: unknown) => {
      await this.#stop(child);
      throw error;
    });

    return {
      name: spec.name,
      pid,
      url,
      tail: () => lines.join('\n'),
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

function readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
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
