import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { instructionsOf, readDockerfile, type Stage } from '../helpers/dockerfile.js';
import { isKnownVariable } from './known-variables.js';

/**
 * The image recipe and compose.yaml, read without Docker (there is no daemon here): the
 * stages compose builds exist, the runtime stage runs as `node` from a lockfile install, the
 * build context keeps what the Dockerfile copies, and every variable compose sets is one
 * `src/config.ts` reads. test/build.test.ts runs what the runtime stage holds.
 */

const root = new URL('../../', import.meta.url);
const stages = readDockerfile(new URL('Dockerfile', root));
const ignored = readFileSync(new URL('.dockerignore', root), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      build?: { target: string };
      image?: string;
      deploy?: { replicas: number };
      environment?: Record<string, string>;
      stop_grace_period?: string;
    }
  >;
};

describe('Dockerfile', () => {
  it('installs from the lockfile, builds, prunes development dependencies, and runs as node', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['deps', 'build', 'mocks', 'runtime']);
    const [deps, build, , runtime] = stages as [Stage, Stage, Stage, Stage];
    expect(instructionsOf(deps, 'COPY')).toEqual(['package.json package-lock.json ./']);
    expect(instructionsOf(deps, 'RUN')).toEqual(['npm ci --no-audit --no-fund']);
    expect(instructionsOf(build, 'RUN')[0]).toMatch(/npm run build && npm prune --omit=dev/);
    expect(build.from).toBe('deps');
    // The same base as the install, afresh: no compiler, sources or npm cache in it.
    expect(runtime.from).toBe(deps.from);
    expect(instructionsOf(runtime, 'USER')).toEqual(['node']);
    expect(instructionsOf(runtime, 'EXPOSE')).toEqual(['4000 9464']);
  });

  it('keeps out of the build context nothing that it copies, and the heavy folders', () => {
    const fromContext = stages
      .flatMap((stage) => instructionsOf(stage, 'COPY'))
      .filter((copy) => !copy.startsWith('--from'))
      .flatMap((copy) => copy.split(/\s+/).slice(0, -1));
    const isIgnored = (path: string) =>
      ignored.some((pattern) => path === pattern || path.startsWith(`${pattern}/`));
    expect(fromContext.filter(isIgnored)).toEqual([]);
    for (const heavy of ['node_modules', 'dist', '.git', 'test-output'])
      expect(ignored).toContain(heavy);
  });
});

describe('compose.yaml', () => {
  it('runs two BFF replicas from the runtime stage on one Redis, and the mocks from theirs', () => {
    const { bff, redis, mocks } = compose.services;
    expect(bff?.build?.target).toBe('runtime');
    expect(bff?.deploy?.replicas).toBe(2);
    expect(mocks?.build?.target).toBe('mocks');
    expect(redis?.image).toMatch(/^redis:/);
    expect(bff?.environment?.IDEMPOTENCY_STORE).toBe('redis://redis:6379');
    expect(bff?.environment?.RATE_LIMIT_STORE).toBe('redis://redis:6379');
  });

  it('sets only variables the BFF reads, with values it accepts, and waits out a drain', () => {
    const env = compose.services.bff?.environment ?? {};
    expect(Object.keys(env).filter((name) => !isKnownVariable(name))).toEqual([]);
    const config = loadConfig(env);
    expect(config.upstreams.drones).toBe('http://mocks:4104');
    expect(
      Number.parseInt(compose.services.bff?.stop_grace_period ?? '0', 10) * 1000,
    ).toBeGreaterThan(config.shutdownTimeoutMs);
  });
});
