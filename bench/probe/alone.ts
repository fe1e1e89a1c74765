import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIO_NAMES } from '../cli.js';
import { type ContenderName, startContender } from '../contenders.js';
import { post } from '../correctness.js';
import { loadFixtures } from '../fixtures.js';
import { percentile, runPeak, Sequence } from '../load.js';
import { describeMachine, pinSelf, planCores } from '../machine.js';
import { Mocks, startMocks } from '../mocks.js';
import { type Child, ProcessGroup } from '../processes.js';
import { askedOf, makeScenarios } from '../scenarios.js';
import { timelineFile } from './timeline-file.js';

/**
 * The one-at-a-time latency alone, with many more queries than the bench's cell takes, the
 * contenders interleaved query by query (A B C A B C …) so that drift on this shared machine
 * lands on all of them alike. For A/B work on Skyway's critical path: `SKYWAY_B=<checkout>`
 * adds a second Skyway started from another checkout (a `git worktree` of the before, with
 * its own node_modules or a link to these). `TIMELINE=1` preloads `timeline.ts` into every
 * contender and prints, per scenario, the median time of each step of a request (when its
 * upstream calls left and came back, plus any `__skywayMark` a patch adds); with
 * `TIMELINE_PROFILE=<dir>` Skyway's CPU profile of the one-at-a-time queries too.
 *
 *   node --import tsx bench/probe/alone.ts [latencyMs=10] [queries=300] [scenario…]
 *
 * Apart from `npm run bench`, whose figures it does not replace: it measures only the one
 * query at a time latency, and only Skyway against the floor.
 */

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const [latencyArg, queriesArg, ...scenarioArgs] = process.argv.slice(2);
const latencyMs = Number(latencyArg ?? 10);
const queries = Number(queriesArg ?? 300);
const names = (scenarioArgs.length > 0 ? scenarioArgs : SCENARIO_NAMES) as typeof SCENARIO_NAMES;

const machine = describeMachine();
const layout = planCores(machine, true);
if (layout.pinned && layout.loadTool !== null) pinSelf(layout.loadTool);
const group = new ProcessGroup(layout.pinned, mkdtempSync(join(tmpdir(), 'skyway-alone-')));
process.once('exit', () => group.killAllNow());

const { urls } = await startMocks(group, layout.mocks);
const mocks = new Mocks(urls);
await mocks.resetWith({});
const scenarios = makeScenarios(await loadFixtures(mocks));

const timeline = process.env.TIMELINE === '1' ? [here('./timeline.ts')] : [];
const start = (name: ContenderName, label: string, checkout?: string) =>
  startContender(group, name, {
    urls,
    core: layout.contenders,
    processName: label,
    preload: timeline,
    ...(checkout === undefined ? {} : { checkout }),
  });
const contenders: { label: string; as: ContenderName; child: Child }[] = [
  { label: 'skyway', as: 'skyway', child: await start('skyway', 'skyway') },
  { label: 'floor', as: 'floor', child: await start('floor', 'floor') },
];
const other = process.env.SKYWAY_B;
if (other !== undefined) {
  contenders.push({
    label: 'skyway-b',
    as: 'skyway',
    child: await start('skyway', 'skyway-b', other),
  });
}
const readTimelines = async (print: boolean) => {
  if (timeline.length === 0) return;
  for (const c of contenders) process.kill(c.child.pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (!print) return;
  for (const c of contenders) {
    console.log(`${c.label}: ${readFileSync(timelineFile(c.child.pid), 'utf8')}`);
  }
};

const sequence = new Sequence();
const p = percentile;
for (const name of names) {
  const scenario = scenarios[name];
  await mocks.resetWith({});
  for (const c of contenders) {
    await runPeak(c.child.url, askedOf(scenario, c.as), sequence, {
      connections: 16,
      durationS: 2,
    });
  }
  await mocks.resetWith(mocks.latency(latencyMs));
  await readTimelines(false);
  const times = new Map(contenders.map((c) => [c.label, [] as number[]]));
  for (let i = 0; i < queries; i += 1) {
    for (const c of contenders) {
      const request = askedOf(scenario, c.as).request(sequence.take());
      const sentAt = performance.now();
      await post(c.child.url, request);
      times.get(c.label)?.push(performance.now() - sentAt);
    }
  }
  await readTimelines(true);
  const floor = [...(times.get('floor') ?? [])].sort((a, b) => a - b);
  for (const c of contenders) {
    const sorted = [...(times.get(c.label) ?? [])].sort((a, b) => a - b);
    console.log(
      `${latencyMs} ms ${name.padEnd(15)} ${c.label.padEnd(9)} p25 ${p(sorted, 0.25).toFixed(2)}  p50 ${p(sorted, 0.5).toFixed(2)}  p75 ${p(sorted, 0.75).toFixed(2)}  − floor p50 ${(p(sorted, 0.5) - p(floor, 0.5)).toFixed(2)}`,
    );
  }
}
await group.stopAll();
process.exit(0);
