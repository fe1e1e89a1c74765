import { rssBytes } from './cpu.js';
import type { Arena } from './measure.js';
import { runPaced } from './paced.js';
import type { Child } from './processes.js';
import type { SoakResult } from './results.js';
import type { Scenario } from './scenarios.js';

/**
 * A steady mix of the three screens at a fixed rate for a while, with Skyway's memory after a
 * full GC at the start and at the end (the memory probe) and its RSS every few seconds.
 */

const LATENCY_MS = 10;
const SAMPLE_EVERY_MS = 5_000;

export async function soak(
  arena: Arena,
  skyway: Child,
  scenarios: Scenario[],
  rate: number,
): Promise<SoakResult> {
  const mix: Scenario = {
    name: scenarios.map((s) => s.name).join(' + '),
    operationName: 'mix',
    query: '',
    minimumCalls: Number.NaN,
    plan: 'each in turn',
    request: (i) =>
      (scenarios[i % scenarios.length] as Scenario).request(Math.floor(i / scenarios.length)),
  };
  await arena.mocks.resetWith(arena.mocks.latency(LATENCY_MS));
  const start = await skyway.memory();
  const began = performance.now();
  const rssTimeline = [{ atS: 0, rss: rssBytes(skyway.pid) }];
  const sampler = setInterval(() => {
    rssTimeline.push({ atS: (performance.now() - began) / 1000, rss: rssBytes(skyway.pid) });
  }, SAMPLE_EVERY_MS);
  try {
    const load = await runPaced(skyway.url, mix, arena.sequence, {
      maxInFlight: 64,
      // Steady load, not an overload test: a request whose turn comes while 64 are out is
      // skipped and counted, rather than queued without end.
      skipWhenBusy: true,
      durationS: arena.options.soakS,
      rate,
    });
    rssTimeline.push({ atS: (performance.now() - began) / 1000, rss: rssBytes(skyway.pid) });
    const end = await skyway.memory();
    return {
      seconds: arena.options.soakS,
      rate,
      latencyMs: LATENCY_MS,
      load,
      start,
      end,
      rssTimeline,
    };
  } finally {
    clearInterval(sampler);
  }
}
