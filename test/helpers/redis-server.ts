import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from './kill-on-exit.js';

/**
 * `redis-server` processes the tests start and stop themselves: one per test run for the
 * suites (`test/setup/redis.ts`), six for a cluster, five for a Sentinel setup. Every process
 * is killed when the test process exits, whatever way it exits, so none outlives a failed run.
 */

export interface RedisServer {
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGKILLs the server (a crash, not a shutdown) and waits for it to be gone. */
  kill(): Promise<void>;
}

/** How to get the binary, in every message that says it is missing. */
export const REDIS_MISSING =
  'redis-server is not installed: apt-get install -y redis-server (or set REDIS_URL to a Redis the tests may write to)';

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A port free right now on 127.0.0.1 (taken from the kernel, then released). `below` keeps
 * room above it: a cluster node also listens on a bus port.
 */
export async function freePort(below = 65_535): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port > 0 && port < below) return port;
  }
}

/**
 * Starts `redis-server` with `args` on a free port and resolves once it answers PING. Nothing
 * is written to disk (no RDB, no AOF): each run starts empty.
 */
export async function startRedisServer(
  args: string[] = [],
  options: {
    port?: number;
    /** Arguments before the options: a config file (Sentinel). */
    leading?: string[];
    /** A command the server runs under, e.g. `ip netns exec <ns>`; then `host` reaches it. */
    wrap?: string[];
    host?: string;
  } = {},
): Promise<RedisServer> {
  if (!hasRedisServer()) throw new Error(REDIS_MISSING);
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'skyway-redis-'));
  const [command = 'redis-server', ...wrapArgs] = [...(options.wrap ?? []), 'redis-server'];
  const child = spawn(
    command,
    [
      ...wrapArgs,
      ...(options.leading ?? []),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  killOnExit(child, () => rmSync(dir, { recursive: true, force: true }));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const host = options.host ?? '127.0.0.1';
  for (let i = 0; !(await answersPing(port, host)); i++) {
    if (child.exitCode !== null || i > 100) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://${host}:${port}`,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Whether something on 127.0.0.1:`port` answers a Redis PING. */
export function answersPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(500);
    let answer = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}
