import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  CONTENDER_DESCRIPTIONS,
  CONTENDER_LABELS,
  CONTENDERS,
  SERVE_NODE_FLAGS,
} from './contenders.js';
import { CPU_TICK_MS } from './cpu.js';
import { ALONE_QUERIES } from './measure.js';
import {
  callsTable,
  clusterTable,
  headlineTable,
  isolationTable,
  ratiosTable,
  resourcesTable,
  soakTable,
  stampedeTable,
  targets,
} from './report.js';
import type { BenchResults } from './results.js';

/**
 * BENCHMARKS.md: the part between the two markers is rewritten by every full run (machine,
 * method, figures); whatever is written by hand outside them (the profile, the reading of the
 * numbers) stays.
 */

const START = '<!-- bench:results:start (written by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

export function writeBenchmarksMd(path: string, results: BenchResults, resultsFile: string): void {
  const generated = [START, render(results, resultsFile), END].join('\n');
  let text: string;
  if (existsSync(path)) {
    const old = readFileSync(path, 'utf8');
    const start = old.indexOf(START);
    const end = old.indexOf(END);
    text =
      start >= 0 && end > start
        ? `${old.slice(0, start)}${generated}${old.slice(end + END.length)}`
        : `${old.trimEnd()}\n\n${generated}\n`;
  } else {
    text = `# Benchmarks\n\n${generated}\n`;
  }
  writeFileSync(path, text);
}

function render(r: BenchResults, resultsFile: string): string {
  const m = r.machine;
  const o = r.options;
  const minutes = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 60_000;
  const lines = [
    `Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` in ${minutes.toFixed(1)} minutes; every figure below is in [\`${resultsFile}\`](${resultsFile}).`,
    '',
    `Skyway as of commit \`${r.source.commit}\`${r.source.uncommitted.length > 0 ? ` plus uncommitted changes to ${r.source.uncommitted.map((f) => `\`${f}\``).join(', ')}` : ''}.`,
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}, ${m.cores} cores; ${m.memoryGiB} GiB memory; Linux ${m.kernel}`,
    `- Node ${m.node}; ${m.taskset ?? 'no taskset'}`,
    `- Cores: ${r.layout.note}.`,
    `- Load average (1, 5, 15 min) at the start ${r.loadAverage.start.map((l) => l.toFixed(2)).join(', ')}, at the end ${r.loadAverage.end.map((l) => l.toFixed(2)).join(', ')}; the CPU of every other process during each run is in the last table. The bench waited ${(r.quiet.waitedMs / 1000).toFixed(0)} s in all for other processes to quiet down before its runs; ${r.quiet.runsStartedBusy} runs started while they were still busy.`,
    '',
    '## Contenders',
    '',
    ...CONTENDERS.map(
      (name) => `- **${CONTENDER_LABELS[name]}**: ${CONTENDER_DESCRIPTIONS[name]}.`,
    ),
    '',
    '## Method',
    '',
    '- Every process is separate: the five mock services in one process, each contender in its own; the load tool (autocannon, programmatic) runs in the bench process. Loopback only.',
    `- Every contender runs with the Node flags of Skyway's \`npm run serve\` (${SERVE_NODE_FLAGS.map((f) => `\`${f}\``).join(', ') || 'none'}), so no ratio comes from a runtime setting the others could have had too.`,
    `- The mocks answer after a fixed latency set through \`PUT /__chaos\` (${o.latenciesMs.map((l) => `${l} ms`).join(' and ')}); they keep connections alive for 65 s.`,
    `- Correctness first: ${o.checks} requests per scenario to every contender, each answer compared (deep equality of the JSON) with Skyway's, which must have data and no errors; the Hive Gateway + Mesh peer is asked each screen in its own schema and its answer put in Skyway's shape (global IDs, connections) before the comparison. A contender that differs is reported as a failure and not timed.`,
    `- Variables change with every request: customer tokens for all ${r.fixtures.accounts} accounts, ${r.fixtures.myDeliveriesAccounts} accounts for MyDeliveries, ${r.fixtures.detailDeliveries} deliveries for DeliveryDetail (each with its owner's token), ${r.fixtures.boardPages} page positions of the IN_TRANSIT board with ${r.fixtures.dispatcherTokens} dispatcher tokens, taken in a shuffled order. Every pool entry needs all five services, so the minimum is 5 calls per query.`,
    `- Upstream calls are read from the services' own counters (\`GET /__stats\`, reset before every run): alone (${ALONE_QUERIES} queries per contender one after another, the contenders taking turns query by query, each counted on its own and timed: the 'one at a time' p50) and under load (calls during a peak run ÷ requests sent; peak and fixed-rate runs are a number of requests, so every request sent is answered before counting), with the sizes of the \`?ids=\` batches.`,
    `- Per scenario and latency: a discarded warm-up of ${o.warmupS} s per contender, then the queries one at a time, then ${o.rounds} rounds of ${o.durationS} s at peak (${o.connections} connections, as fast as they go) with the contenders in turn (A B C D E A B C D E …), then ${o.rounds} rounds at a fixed rate: half the median peak of the slowest of Skyway, floor and Apollo peer (the naive and the Hive Gateway + Mesh peer run at their own half-peak when lower). Figures are medians over rounds with min–max.`,
    `- Latency percentiles come from every answer's own time (microseconds), not from autocannon's whole-millisecond histogram. Fixed rates are paced by the bench itself (an open loop over undici, request k at k ÷ rate), since autocannon's rate limit sends each second's quota in one burst. An answer is bad when it is not a 200 with \`data\` and no \`errors\`.`,
    `- CPU per query is \`utime + stime\` of the contender's process (/proc/<pid>/stat, all threads, ${CPU_TICK_MS} ms ticks) over the fixed-rate run ÷ answers. The mocks' and the load tool's CPU are read the same way.`,
    '',
    '## Figures',
    '',
    headlineTable(r.cells),
    '',
    '### Ratios',
    '',
    ratiosTable(r.cells),
    '',
    '### Where Skyway stands against the targets of issue 8',
    '',
    ...targets(r.cells),
    '',
    '### Upstream calls per query and batch sizes',
    '',
    "Per service: calls per query in the last peak round, and the sizes of its `?ids=` batches [min/median/max]. The deliveries service's page call is a list call, not a batch.",
    '',
    callsTable(r.cells),
    '',
    '### CPU use of the contender, the mocks and the load tool',
    '',
    "Share of one core during the peak runs (median over rounds). A contender near 100% is the bottleneck of its own run; the mocks and the load tool share the other core. 'Other processes' is the machine's busy time less these three (the idle contenders included): what else ran on the machine, unpinned, on either core.",
    '',
    resourcesTable(r.cells),
  ];
  if (r.cluster) {
    lines.push(
      '',
      '### Cluster mode',
      '',
      `Skyway as one process and as a primary with ${r.cluster.workers} workers (\`WEB_CONCURRENCY\`), peak rounds in turn after a warm-up each. Layout: ${r.cluster.layout ?? 'unpinned'}. The load tool and the mocks keep core 0 and run at a higher priority for this part, standing in for clients and services on other hosts: the second worker gets what they leave of core 0, so on this 2-core machine the gain is what one core and the rest of another are worth, not ${r.cluster.workers}×. Unpinned, Linux's wake-affine placement stacked both workers on the load's core.`,
      '',
      clusterTable(r.cluster),
    );
  }
  if (r.isolation) {
    const i = r.isolation;
    lines.push(
      '',
      '### One upstream hanging (isolation)',
      '',
      `Skyway only, every service at ${i.latencyMs} ms. ${i.foregroundQuery} (no drone field) timed at ${i.foregroundRate} req/s while ${i.backgroundQuery} (which asks the drones service) runs at up to ${i.backgroundRate} req/s on at most ${i.backgroundConnections} connections (each rate a quarter of Skyway's peak for that screen, so the healthy half is loaded, not saturated); then the same with the drones service never answering (\`hang: true\`), so every background query waits for the request budget (REQUEST_TIMEOUT_MS, ${i.requestTimeoutMs} ms) holding a drones connection. ${o.isolationS} s each.`,
      '',
      isolationTable(i),
    );
  }
  if (r.stampede) {
    const b = r.stampede;
    lines.push(
      '',
      `### A burst of ${b.boards} boards (no stampede)`,
      '',
      `${b.boards} dispatchers, each with a token of their own, open the first page of the board (100 deliveries in transit) at the same moment; every service answers after ${b.latencyMs} ms. Upstream calls for the whole burst, from the services' own counters, and when the last board was answered. Skyway twice: as shipped, with its record cache and reads shared in flight (drones say \`public, max-age=1\`, packages \`public, max-age=300\`; owners, deliveries and charges are private), and as the rest of this page measures it, with both off. The fewest calls a burst can make without sharing is ${b.boards} × 5.`,
      '',
      stampedeTable(b),
    );
  }
  if (r.soak) {
    const s = r.soak;
    lines.push(
      '',
      '### Soak',
      '',
      `Skyway at ${s.rate} req/s (40% of its peak for the mix) for ${s.seconds} s (the three screens in turn, ${s.latencyMs} ms upstreams, at most 64 in flight): ${s.load.completed} answers, ${s.load.errors} bad, ${s.load.skipped ?? 0} skipped while 64 were out, p50 ${s.load.latencyMs.p50.toFixed(2)} ms, p99 ${s.load.latencyMs.p99.toFixed(2)} ms. Memory read after a full GC (the process runs with \`--expose-gc\` and a small probe, \`bench/probe/memory.ts\`).`,
      '',
      soakTable(s),
    );
  }
  if (r.warnings.length > 0) {
    lines.push('', '### Warnings', '', ...r.warnings.map((w) => `- ${w.replaceAll('|', '\\|')}`));
  }
  if (r.failures.length > 0) {
    lines.push('', '### Failures', '', ...r.failures.map((f) => `- ${f}`));
  }
  return lines.join('\n');
}
