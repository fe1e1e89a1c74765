import { type ChildProcess, spawn } from 'node:child_process';
import type { MockServices } from '../../mock-services/index.js';
import { killOnExit } from './kill-on-exit.js';

/** A BFF running as its own process (`npm run serve`), as a deployment runs it. */
export interface BffProcess {
  child: ChildProcess;
  /** Resolves with the base URL once it listens; rejects if it exits first. */
  url: Promise<string>;
  /** Resolves with the `/metrics` URL once it listens (the primary's, in cluster mode). */
  metricsUrl: Promise<string>;
  output(): string;
  /** SIGTERM (or the signal given) and the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The env that points a BFF at the mock services. */
export function upstreamEnv(mocks: MockServices): Record<string, string> {
  return {
    UPSTREAM_ACCOUNTS_URL: mocks.urls.accounts,
    UPSTREAM_DELIVERIES_URL: mocks.urls.deliveries,
    UPSTREAM_PACKAGES_URL: mocks.urls.packages,
    UPSTREAM_DRONES_URL: mocks.urls.drones,
    UPSTREAM_PAYMENTS_URL: mocks.urls.payments,
  };
}

export interface BffProcessOptions {
  /** What runs: the TypeScript source through tsx (the default), or a build's entry point. */
  args?: string[];
  cwd?: string | URL;
  /** Run as this user and group (a non-root run of the build). */
  uid?: number;
  gid?: number;
  /** Run under another command, e.g. `ip netns exec <ns>` for a host of its own. */
  wrap?: string[];
}

export function startBffProcess(
  env: Record<string, string>,
  options: BffProcessOptions = {},
): BffProcess {
  const [command = process.execPath, ...args] = [
    ...(options.wrap ?? []),
    process.execPath,
    ...(options.args ?? ['--import', 'tsx', 'src/server.ts']),
  ];
  const child = spawn(command, args, {
    cwd: options.cwd ?? new URL('../..', import.meta.url),
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  killOnExit(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)\/graphql/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  url.catch(() => {});
  const metricsUrl = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /metrics on (http:\/\/\S+\/metrics)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  metricsUrl.catch(() => {});
  return {
    child,
    url,
    metricsUrl,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
