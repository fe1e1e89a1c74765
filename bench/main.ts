import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchmarksMd } from './benchmarks-md.js';
import { isFullRun, parseOptions, SCENARIO_NAMES } from './cli.js';
import { measureCluster } from './cluster.js';
import { CONTENDER_LABELS, CONTENDERS, type ContenderName, startContender } from './contenders.js';
import { checkScenario } from './correctness.js';
import { loadFixtures } from './fixtures.js';
import { measureIsolation } from './isolation.js';
import { Sequence } from './load.js';
import { describeMachine, describeSource, pinSelf, planCores } from './machine.js';
import { type Arena, measureCell } from './measure.js';
import { Mocks, startMocks } from './mocks.js';
import { type Child, ProcessGroup } from './processes.js';
import { QuietGate } from './quiet.js';
import { printable, summarise } from './report.js';
import type { BenchResults } from './results.js';
import { askedOf, boardBurst, boardWithoutDrones, makeScenarios } from './scenarios.js';
import { soak } from './soak.js';
import { measureStampede } from './stampede.js';

/**
 * `npm run bench`: the mock services and the five contenders as separate processes, the load
 * tool here; correctness first, then every scenario at every latency, a soak, and last the
 * hanging-upstream scenario (calls to a hanging service may stay open after it); a table on the terminal, the JSON under bench/results/ and, after a
 * full run, BENCHMARKS.md. Every child is stopped at the end, on error and on Ctrl-C.
 */

/** At most this long, over the whole run, waiting for other processes to quiet down. */
const QUIET_BUDGET_MS = 180_000;

/** Other processes busier than this share of a core during a cell make its figures suspect. */
const OTHERS_WARN_CORES = 0.15;

/** Dispatchers whose boards the stampede part sends at once: the fifty. */
const STAMPEDE_BOARDS = 50;

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const began = performance.now();
const log = (line: string) => {
  const s = Math.round((performance.now() - began) / 1000);
  const stamp = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  console.log(line.startsWith('\n') ? `\n[${stamp}] ${line.slice(1)}` : `[${stamp}] ${line}`);
};

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const layout = planCores(machine, options.pin);
  if (layout.pinned && layout.loadTool !== null) pinSelf(layout.loadTool);
  const startedAt = new Date();
  log(`Skyway bench on ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);
  log(`cores: ${layout.note}`);

  const logDir = mkdtempSync(join(tmpdir(), 'skyway-bench-'));
  log(`logs of every process: ${logDir}/ (removed after a run without failures)`);
  const group = new ProcessGroup(layout.pinned, logDir);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping every child process`);
    group.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => group.killAllNow());

  const failures: string[] = [];
  const fail = (message: string) => {
    failures.push(message);
    console.error(`\n✗ FAILURE: ${message}\n`);
  };
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    console.error(`\n! WARNING: ${message}\n`);
  };

  try {
    const mocksProcess = await startMocks(group, layout.mocks);
    const mocks = new Mocks(mocksProcess.urls);
    log('mocks: reading fixtures and minting tokens');
    await mocks.resetWith({});
    const fixtures = await loadFixtures(mocks);
    log(`fixtures: ${JSON.stringify(fixtures.sizes)}`);
    const scenarios = makeScenarios(fixtures);

    const profileDir = options.profile ? here('./profiles') : undefined;
    const contenders: Partial<Record<ContenderName, Child>> = {};
    for (const name of CONTENDERS) {
      contenders[name] = await startContender(group, name, {
        urls: mocksProcess.urls,
        core: layout.contenders,
        ...(profileDir === undefined ? {} : { profileDir }),
      });
      log(
        `${CONTENDER_LABELS[name].padEnd(20)} pid ${contenders[name]?.pid} ${contenders[name]?.url}`,
      );
    }
    const skyway = contenders.skyway as Child;
    const arena: Arena = {
      mocks,
      mocksPid: mocksProcess.child.pid,
      contenders,
      options,
      sequence: new Sequence(),
      quiet: new QuietGate(
        () => [mocksProcess.child.pid, ...Object.values(contenders).map((c) => c.pid)],
        options.quick ? 10_000 : QUIET_BUDGET_MS,
      ),
      log,
    };
    const urls = Object.fromEntries(
      Object.entries(contenders).map(([name, child]) => [name, child.url]),
    ) as Partial<Record<ContenderName, string>>;

    const results: BenchResults = {
      version: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      options: { ...options, parts: [...options.parts] },
      machine,
      source: describeSource(here('..')),
      layout,
      loadAverage: { start: loadavg(), end: [] },
      quiet: { waitedMs: 0, runsStartedBusy: 0 },
      fixtures: fixtures.sizes,
      correctness: [],
      cells: [],
      failures,
      warnings,
    };

    const timed = SCENARIO_NAMES.filter((name) => options.parts.has(name));
    const excluded = new Map<string, Set<ContenderName>>();
    await mocks.resetWith({});
    for (const name of timed) {
      log(`correctness: ${name}, ${options.checks} requests, every contender against Skyway`);
      const checks = await checkScenario(scenarios[name], urls, options.checks);
      results.correctness.push(...checks);
      for (const check of checks.filter((c) => !c.ok)) {
        fail(
          `${CONTENDER_LABELS[check.contender]} answers ${name} wrongly, not timed: ${check.problem}`,
        );
        const set = excluded.get(name) ?? new Set();
        set.add(check.contender);
        excluded.set(name, set);
      }
    }

    for (const latencyMs of options.latenciesMs) {
      for (const name of timed) {
        const out = excluded.get(name) ?? new Set();
        if (out.has('skyway')) continue;
        const names = CONTENDERS.filter((c) => !out.has(c));
        log(`\n${name} at ${latencyMs} ms upstream latency: ${names.join(', ')}`);
        const cell = await measureCell(arena, scenarios[name], latencyMs, names);
        for (const c of out)
          cell.contenders[c] = { excluded: 'wrong answers', peak: [], fixed: [] };
        results.cells.push(cell);
        const busiest = Math.max(
          ...names.flatMap((c) => {
            const entry = cell.contenders[c];
            return [...(entry?.peak ?? []), ...(entry?.fixed ?? [])].map((r) => r.cpu.others.cores);
          }),
        );
        if (busiest > OTHERS_WARN_CORES) {
          warn(
            `other processes on the machine used up to ${Math.round(busiest * 100)}% of a core during ${name} at ${latencyMs} ms: its figures are noisier than their spread says`,
          );
        }
        for (const c of names) {
          const entry = cell.contenders[c];
          const bad = entry === undefined ? 0 : summarise(cell, entry).errors;
          const first = [...(entry?.peak ?? []), ...(entry?.fixed ?? [])].find(
            (s) => s.load.firstBad !== undefined,
          )?.load.firstBad;
          if (bad > 0) {
            warn(
              `${CONTENDER_LABELS[c]}: ${bad} bad answers under load in ${name} at ${latencyMs} ms; the first: ${first?.slice(0, 240) ?? 'no answer'}`,
            );
          }
        }
      }
    }

    if (options.parts.has('cluster')) {
      log('\ncluster: Skyway as one process and as two workers, MyDeliveries at 0 ms');
      results.cluster = await measureCluster(arena, group, scenarios.MyDeliveries);
    }

    if (options.parts.has('soak')) {
      // 40% of what Skyway can do with the mix: the harmonic mean of its peaks for the three
      // screens at the soak's latency (10 ms), or at any latency measured.
      const peaks = SCENARIO_NAMES.map((name) => {
        const cell =
          results.cells.find((c) => c.scenario === name && c.latencyMs === 10) ??
          results.cells.find((c) => c.scenario === name);
        return cell?.contenders.skyway
          ? summarise(cell, cell.contenders.skyway).rps.median
          : Number.NaN;
      });
      const mixPeak = peaks.length / peaks.reduce((sum, peak) => sum + 1 / peak, 0);
      const rate = Number.isFinite(mixPeak) ? Math.max(10, Math.floor(0.4 * mixPeak)) : 50;
      log(`\nsoak: ${options.soakS} s at ${rate} req/s, the three screens in turn`);
      results.soak = await soak(
        arena,
        skyway,
        SCENARIO_NAMES.map((n) => scenarios[n]),
        rate,
      );
      if (results.soak.load.errors > 0) {
        warn(
          `${results.soak.load.errors} bad answers during the soak; the first: ${results.soak.load.firstBad?.slice(0, 240)}`,
        );
      }
    }

    if (options.parts.has('isolation')) {
      log('\nisolation: Skyway with the drones service healthy, then hanging');
      // A quarter of Skyway's peak for each, so the healthy half is loaded but not saturated.
      const quarterOfPeak = (scenario: string, fallback: number) => {
        const cell = results.cells.find((c) => c.scenario === scenario && c.contenders.skyway);
        const peak = cell?.contenders.skyway
          ? summarise(cell, cell.contenders.skyway).rps.median
          : Number.NaN;
        return Number.isFinite(peak) ? Math.max(5, Math.floor(peak / 4)) : fallback;
      };
      results.isolation = await measureIsolation(
        arena,
        skyway,
        boardWithoutDrones(fixtures),
        scenarios.MyDeliveries,
        {
          foreground: quarterOfPeak('DispatchBoard', 10),
          background: quarterOfPeak('MyDeliveries', 20),
        },
      );
      for (const phase of results.isolation.phases) {
        if (phase.foreground.errors > 0) {
          warn(
            `isolation, drones ${phase.dronesHanging ? 'hanging' : 'healthy'}: ${phase.foreground.errors} bad answers to the query without drone fields; the first: ${phase.foreground.firstBad?.slice(0, 240)}`,
          );
        }
      }
    }

    if (options.parts.has('stampede')) {
      log(`\nstampede: ${STAMPEDE_BOARDS} dispatchers open the same board page at once`);
      // Skyway as shipped: the bench's Skyway runs with its record cache (and so its shared
      // reads) off, as the method wants; this one keeps the defaults.
      const shipped = await startContender(group, 'skyway', {
        urls: mocksProcess.urls,
        core: layout.contenders,
        env: { UPSTREAM_RECORD_CACHE_SIZE: '10000' },
        processName: 'skyway-as-shipped',
      });
      const [burst, warmup] = [boardBurst(fixtures, 0), boardBurst(fixtures, 1)];
      results.stampede = await measureStampede(
        arena,
        [
          { label: 'Skyway as shipped', url: shipped.url, scenario: burst, warmup },
          ...CONTENDERS.filter((name) => name !== 'naive').map((name) => ({
            label: name === 'skyway' ? 'Skyway, cache and sharing off' : CONTENDER_LABELS[name],
            url: (contenders[name] as Child).url,
            scenario: askedOf(burst, name),
            warmup: askedOf(warmup, name),
          })),
        ],
        STAMPEDE_BOARDS,
      );
      for (const row of results.stampede.rows.filter((r) => r.bad > 0)) {
        warn(`stampede: ${row.contender} answered ${row.bad} of ${STAMPEDE_BOARDS} boards badly`);
      }
    }

    results.finishedAt = new Date().toISOString();
    results.loadAverage.end = loadavg();
    results.quiet = { waitedMs: arena.quiet.waitedMs, runsStartedBusy: arena.quiet.startedBusy };
    if (arena.quiet.startedBusy > 0) {
      warn(
        `${arena.quiet.startedBusy} runs started while other processes were busy (the ${QUIET_BUDGET_MS / 1000} s budget for waiting was spent)`,
      );
    }
    console.log(`\n${printable(results)}\n`);

    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const full = isFullRun(options);
    const suffix = full ? '' : options.quick ? '-quick' : '-partial';
    mkdirSync(here('./results'), { recursive: true });
    const file = here(`./results/${stamp}${suffix}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`results: ${file}`);
    if (full) {
      writeBenchmarksMd(here('../BENCHMARKS.md'), results, `bench/results/${stamp}.json`);
      log('BENCHMARKS.md updated');
    } else {
      log(
        'BENCHMARKS.md left alone (only a full run without --quick, --only or --profile writes it)',
      );
    }
  } catch (error) {
    // After Ctrl-C the children are gone and whatever was measuring fails: not news.
    if (!interrupted) fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    await group.stopAll();
    if (failures.length === 0) rmSync(logDir, { recursive: true, force: true });
    else console.error(`logs kept in ${logDir}/`);
  }
  return failures.length > 0 ? 1 : 0;
}

process.exit(await main());
