import { request } from 'undici';
import { Answers } from './load.js';
import type { Arena } from './measure.js';
import { SERVICES } from './mocks.js';
import type { StampedeResult, StampedeRow } from './results.js';
import type { Scenario } from './scenarios.js';

/**
 * A burst: `boards` dispatchers open the same page of the board at the same moment, every
 * service answering after `LATENCY_MS`. What each contender asks of each service for the
 * whole burst, and when the last board is answered. Skyway is there twice: as shipped (its
 * record cache and reads shared in flight on) and as the rest of the bench measures it (both
 * off). Counts, not rates: the mocks' own counters, reset before each contender.
 */

const LATENCY_MS = 10;
/** The drones service's `max-age`: what Skyway as shipped keeps a drone for. */
const DRONES_MAX_AGE_MS = 1_000;

export interface StampedeTarget {
  label: string;
  url: string;
  /** The burst as this contender is asked it (its own schema for the Mesh peer). */
  scenario: Scenario;
  /** The same on another page, sent first and not counted: a warm process, a cold cache. */
  warmup: Scenario;
}

export async function measureStampede(
  arena: Arena,
  targets: StampedeTarget[],
  boards: number,
): Promise<StampedeResult> {
  const rows: StampedeRow[] = [];
  for (const target of targets) {
    await arena.mocks.resetWith(arena.mocks.latency(LATENCY_MS));
    await burst(target.url, target.warmup, boards);
    // The warm-up's drones (kept for a second) may ride on the counted page too: let them go.
    await new Promise((resolve) => setTimeout(resolve, DRONES_MAX_AGE_MS + 100));
    await arena.mocks.resetWith(arena.mocks.latency(LATENCY_MS));
    const started = performance.now();
    const answers = await burst(target.url, target.scenario, boards);
    const lastMs = performance.now() - started;
    const stats = await arena.mocks.stats();
    const calls = Object.fromEntries(SERVICES.map((name) => [name, stats[name].total]));
    const row: StampedeRow = {
      contender: target.label,
      calls: calls as StampedeRow['calls'],
      total: SERVICES.reduce((sum, name) => sum + stats[name].total, 0),
      lastMs,
      bad: answers.bad,
    };
    rows.push(row);
    arena.log(
      `    ${target.label.padEnd(28)} ${row.total} calls (${SERVICES.map((s) => `${s} ${row.calls[s]}`).join(', ')}), last board after ${lastMs.toFixed(0)} ms, ${row.bad} bad`,
    );
  }
  await arena.mocks.resetWith({});
  return { boards, latencyMs: LATENCY_MS, rows };
}

/** `boards` requests of `scenario` at once, their answers tallied as every run's are. */
async function burst(url: string, scenario: Scenario, boards: number): Promise<Answers> {
  const answers = new Answers();
  await Promise.all(
    Array.from({ length: boards }, async (_, i) => {
      const { body, headers } = scenario.request(i);
      const answer = await request(url, { method: 'POST', body, headers });
      answers.record(answer.statusCode, await answer.body.text());
    }),
  );
  return answers;
}
