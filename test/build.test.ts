import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServices, startMockServices } from '../mock-services/index.js';
import { startBffProcess, upstreamEnv } from './helpers/bff-process.js';
import { instructionsOf, readDockerfile, type Stage } from './helpers/dockerfile.js';
import { hashOf } from './helpers/persisted.js';

/**
 * The production build as the image runs it, without Docker: `npm run build`, then what the
 * Dockerfile's runtime stage copies (read from its COPY lines: the build, the production
 * dependencies only, the manifest, GraphiQL's operation) in a folder of its own outside the
 * repository, started with the stage's CMD (which is `npm run serve`'s command) as a user that
 * is not root, as the image's `USER node` is.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOBODY = 65534;

const runtime = readDockerfile(new URL('../Dockerfile', import.meta.url)).at(-1) as Stage;
/** The runtime stage's CMD, e.g. `["node", "--max-semi-space-size=64", "dist/server.js"]`. */
const command = JSON.parse(instructionsOf(runtime, 'CMD').at(-1) ?? '[]') as string[];

let mocks: MockServices;
let stage: string;

beforeAll(async () => {
  mocks = await startMockServices();
  await run('npm', ['run', '--silent', 'build'], { cwd: ROOT });
  stage = mkdtempSync(join(tmpdir(), 'skyway-image-'));
  chmodSync(stage, 0o755);
  for (const copy of instructionsOf(runtime, 'COPY')) {
    // `--from=build /app/<path> ./<path>` (the build stage's) or `<path> ./<path>` (the context's).
    const [, source = '', target = ''] =
      /^(?:--from=build \/app\/)?(\S+)\s+\.\/(\S+)$/.exec(copy) ?? [];
    expect(source, copy).not.toBe('');
    if (source === 'node_modules') await copyProductionDependencies(join(stage, target));
    else cpSync(join(ROOT, source), join(stage, target), { recursive: true });
  }
}, 180_000);

/** `npm prune --omit=dev`'s tree: the production dependencies and theirs, nothing else. */
async function copyProductionDependencies(target: string): Promise<void> {
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT });
  const packages = stdout.trim().split('\n').slice(1);
  const nodeModules = join(ROOT, 'node_modules');
  for (const path of packages.filter((p) => !packages.some((o) => p.startsWith(`${o}/`)))) {
    cpSync(path, join(target, relative(nodeModules, path)), { recursive: true });
  }
}
afterAll(async () => {
  await mocks.close();
  if (stage) rmSync(stage, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('compiles to dist/ with the entry point the image and npm run serve start', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(command.join(' ')).toMatch(/^node (--[\w-]+=\S+ )*dist\/server\.js$/);
    expect(manifest.scripts.serve).toBe(command.join(' '));
    expect(instructionsOf(runtime, 'USER')).toEqual(['node']);
    expect(existsSync(join(ROOT, 'dist/server.js'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist/dev.ts'))).toBe(false);
    // Development tools are not production dependencies, so the image has none of them.
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
    expect(Object.keys(manifest.dependencies)).not.toContain('typescript');
    for (const tool of ['tsx', 'typescript', 'vitest', 'esbuild']) {
      expect(existsSync(join(stage, 'node_modules', tool))).toBe(false);
    }
  });

  it('runs from production dependencies alone, as a user that is not root, and stops on SIGTERM', async () => {
    const asRoot = process.getuid?.() === 0;
    const bff = startBffProcess(
      {
        ...upstreamEnv(mocks),
        NODE_ENV: 'production',
        PERSISTED_DOCUMENTS: 'require',
        LOG_LEVEL: 'info',
      },
      {
        args: command.slice(1),
        cwd: stage,
        ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      },
    );
    const base = await bff.url;
    const metricsUrl = await bff.metricsUrl;
    const status = readFileSync(`/proc/${bff.child.pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+[1-9]\d*\s/m);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const token = await (
      await fetch(`${mocks.urls.accounts}/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: 'acc_0001', role: 'CUSTOMER' }),
      })
    ).json();
    const answer = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${(token as { token: string }).token}`,
      },
      body: JSON.stringify({ documentId: `sha256:${hashOf('MyDeliveries')}`, variables: {} }),
    });
    const body = (await answer.json()) as { data?: { viewer: { name: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(typeof body.data?.viewer.name).toBe('string');

    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(
      /^skyway_graphql_requests_total\{operation="MyDeliveries",type="query"\} 1$/m,
    );
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);

    expect(await bff.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
