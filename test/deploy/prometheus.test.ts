import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RULES_PATH, readRules } from './metric-names.js';

/**
 * `deploy/prometheus/`, checked by Prometheus's own tool: the rules parse and their PromQL is
 * valid (`promtool check rules`), and each alert fires on the synthetic series of
 * `skyway-rules.test.yaml` when it should and not before (`promtool test rules`). promtool is
 * in Debian's `prometheus` package; `.ci/run` installs it when it is missing.
 */

const run = promisify(execFile);
const folder = fileURLToPath(new URL('.', RULES_PATH));

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: folder });
    return stdout + stderr;
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: string; stdout?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error('promtool is missing: apt-get install prometheus');
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}

describe('deploy/prometheus', () => {
  it('passes promtool check rules', async () => {
    expect(await promtool('check', 'rules', 'skyway-rules.yaml')).toMatch(
      /SUCCESS: \d+ rules found/,
    );
  });

  it('passes promtool test rules: every alert fires on its case and stays quiet before', async () => {
    expect(await promtool('test', 'rules', 'skyway-rules.test.yaml')).toMatch(/SUCCESS/);
  });

  it('has the alerts the issue asks for, each tested', () => {
    const alerts = readRules().groups.flatMap((group) => group.rules.flatMap((r) => r.alert ?? []));
    expect(alerts.sort()).toEqual([
      'SkywayErrorBudgetBurnFast',
      'SkywayErrorBudgetBurnSlow',
      'SkywayIdempotencyStoreDown',
      'SkywayIdempotencyStoreFull',
      'SkywayLatencyP99OverBudget',
      'SkywayRateLimitFailingOpen',
      'SkywaySagasStuck',
      'SkywayUpstreamBreakerOpen',
    ]);
    const tests = readFileSync(new URL('skyway-rules.test.yaml', RULES_PATH), 'utf8');
    for (const alert of alerts) expect(tests).toContain(`alertname: ${alert}`);
  });
});
