import { parseArgs } from 'node:util';

/** The command line of `npm run bench`, resolved to numbers. */

export const SCENARIO_NAMES = ['MyDeliveries', 'DispatchBoard', 'DeliveryDetail'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** What `--only` may name: a timed scenario, or one of the extra parts of the run. */
export const PARTS = [...SCENARIO_NAMES, 'cluster', 'soak', 'isolation', 'stampede'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  quick: boolean;
  /** Seconds of each measured run (peak and fixed-rate alike). */
  durationS: number;
  /** Seconds of the discarded warm-up of each contender, per scenario and latency; it also sizes the counted runs. */
  warmupS: number;
  /** Rounds of A B C D E, for the peak and again for the fixed rate. */
  rounds: number;
  /** Concurrent connections of the load tool. */
  connections: number;
  /** Fixed upstream latencies to run every scenario at, in ms. */
  latenciesMs: number[];
  parts: Set<Part>;
  soakS: number;
  /** Seconds of each half (drones healthy, drones hanging) of the isolation scenario. */
  isolationS: number;
  /** Requests per scenario whose answers are compared across contenders before timing. */
  checks: number;
  /** Pin the load tool and the contenders to different cores with taskset. */
  pin: boolean;
  /** Run the contenders with --cpu-prof into bench/profiles/. */
  profile: boolean;
}

const HELP = `npm run bench -- [options]

  --quick               smoke run of a few minutes: 0 ms only, short runs, one round, 5 s soak
  --duration <s>        seconds of each measured run (default 4, quick 1)
  --warmup <s>          discarded warm-up per contender and scenario (default 2, quick 0.5)
  --rounds <n>          rounds of A B C D E for peak and for fixed rate (default 3, quick 1)
  --connections <n>     load tool connections (default 16)
  --latencies <ms,...>  fixed upstream latencies (default 0,10; quick 0)
  --only <part,...>     ${PARTS.join(', ')} (repeatable)
  --soak-seconds <s>    soak length (default 120, quick 5)
  --isolation-seconds <s>  each half of the hanging-upstream scenario (default 10, quick 2)
  --checks <n>          requests compared across contenders per scenario (default 20, quick 5)
  --no-pin              do not use taskset
  --profile             run the contenders with node --cpu-prof (profiles in bench/profiles/)
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      latencies: { type: 'string' },
      only: { type: 'string', multiple: true },
      'soak-seconds': { type: 'string' },
      'isolation-seconds': { type: 'string' },
      checks: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const parts = new Set<Part>();
  for (const name of (values.only ?? []).flatMap((v) => v.split(','))) {
    const part = PARTS.find((p) => p.toLowerCase() === name.trim().toLowerCase());
    if (part === undefined) throw new Error(`--only: unknown part "${name}" (${PARTS.join(', ')})`);
    parts.add(part);
  }
  return {
    quick,
    durationS: number('duration', values.duration, quick ? 1 : 4, 0.5, 600),
    warmupS: number('warmup', values.warmup, quick ? 0.5 : 2, 0.5, 600),
    rounds: integer('rounds', values.rounds, quick ? 1 : 3, 1, 50),
    connections: integer('connections', values.connections, 16, 1, 1000),
    latenciesMs: (values.latencies ?? (quick ? '0' : '0,10'))
      .split(',')
      .map((v) => integer('latencies', v, 0, 0, 10_000)),
    parts: parts.size > 0 ? parts : new Set(PARTS),
    soakS: number('soak-seconds', values['soak-seconds'], quick ? 5 : 120, 1, 3600),
    isolationS: number('isolation-seconds', values['isolation-seconds'], quick ? 2 : 10, 1, 600),
    checks: integer('checks', values.checks, quick ? 5 : 20, 1, 1000),
    pin: !(values['no-pin'] ?? false),
    profile: values.profile ?? false,
  };
}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${flag}: expected a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function integer(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  const value = number(flag, raw, fallback, min, max);
  if (!Number.isInteger(value)) throw new Error(`--${flag}: expected an integer, got "${raw}"`);
  return value;
}

/** True when the run covers everything a committed BENCHMARKS.md needs. */
export function isFullRun(options: BenchOptions): boolean {
  return !options.quick && !options.profile && options.parts.size === PARTS.length;
}
