import type { Arena } from './measure.js';
import { runPaced } from './paced.js';
import type { Child } from './processes.js';
import type { IsolationResult } from './results.js';
import type { Scenario } from './scenarios.js';

/**
 * One upstream hanging: does it slow down the queries that do not need it? Skyway only. A
 * background of MyDeliveries (which asks the drones service) runs at a fixed rate on many
 * connections while a foreground query without drone fields is timed at a low fixed rate;
 * first with every service answering after the fixed latency, then with drones never
 * answering (`hang: true`), so every background query waits for Skyway's request budget
 * (REQUEST_TIMEOUT_MS, 3 s by default) with a drones connection held.
 */

const LATENCY_MS = 10;
const FOREGROUND_CONNECTIONS = 16;
const BACKGROUND_CONNECTIONS = 64;
const REQUEST_TIMEOUT_MS = 3000; // Skyway's default, which the bench does not change
/** The load tool gives up on an answer after this long, so the scenario always ends. */
const CLIENT_TIMEOUT_MS = 2 * REQUEST_TIMEOUT_MS;

export async function measureIsolation(
  arena: Arena,
  skyway: Child,
  foreground: Scenario,
  background: Scenario,
  /** Requests per second of each; together well below Skyway's peak, so the healthy half is not a saturation test. */
  rates: { foreground: number; background: number },
): Promise<IsolationResult> {
  const phases: IsolationResult['phases'] = [];
  for (const dronesHanging of [false, true]) {
    const chaos = arena.mocks.latency(LATENCY_MS);
    if (dronesHanging) chaos.drones = { latencyMs: LATENCY_MS, hang: true };
    await arena.mocks.resetWith(chaos);
    const durationS = arena.options.isolationS;
    const [fg, bg] = await Promise.all([
      runPaced(skyway.url, foreground, arena.sequence, {
        maxInFlight: FOREGROUND_CONNECTIONS,
        durationS,
        rate: rates.foreground,
      }),
      runPaced(skyway.url, background, arena.sequence, {
        maxInFlight: BACKGROUND_CONNECTIONS,
        skipWhenBusy: true,
        timeoutMs: CLIENT_TIMEOUT_MS,
        durationS,
        rate: rates.background,
      }),
    ]);
    phases.push({ dronesHanging, foreground: fg, background: bg });
    arena.log(
      `    drones ${dronesHanging ? 'hanging' : 'healthy'}: ${foreground.name} p50 ${fg.latencyMs.p50.toFixed(2)} ms p99 ${fg.latencyMs.p99.toFixed(2)} ms (${fg.errors} errors); ${background.name} p50 ${bg.latencyMs.p50.toFixed(0)} ms, ${bg.completed} answered, ${bg.errors - bg.noAnswer} with errors, ${bg.noAnswer} without an answer in ${CLIENT_TIMEOUT_MS} ms`,
    );
  }
  // Runs last: calls to the hanging service may stay open in Skyway for as long as its own
  // timeouts allow, whatever the mocks do next.
  await arena.mocks.resetWith({});
  return {
    latencyMs: LATENCY_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    foregroundQuery: foreground.name,
    backgroundQuery: background.name,
    foregroundRate: rates.foreground,
    backgroundRate: rates.background,
    backgroundConnections: BACKGROUND_CONNECTIONS,
    clientTimeoutMs: CLIENT_TIMEOUT_MS,
    phases,
  };
}
