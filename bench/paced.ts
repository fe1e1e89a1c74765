import { Pool } from 'undici';
import { Answers, type LoadResult, type Sequence } from './load.js';
import type { Scenario } from './scenarios.js';

/**
 * Load at a fixed rate, paced: request k leaves at start + k / rate whatever happened to the
 * ones before (an open loop), over a pool of up to `maxInFlight` connections, so that the
 * latency of a sub-saturation rate is not the queue of a burst. Latency runs from the moment
 * the request is handed to the pool to the last byte of the answer; a contender that cannot
 * keep up shows it as latency, not as a lower rate.
 */

export type PacedOptions = {
  rate: number;
  maxInFlight: number;
  /** Skip a request whose time comes while `maxInFlight` are out, instead of queueing it. */
  skipWhenBusy?: boolean;
  /** Give up on an answer after this long (default 30 s): the run always ends. */
  timeoutMs?: number;
} & ({ amount: number } | { durationS: number });

export async function runPaced(
  url: string,
  scenario: Scenario,
  sequence: Sequence,
  options: PacedOptions,
): Promise<LoadResult> {
  const target = new URL(url);
  const timeout = options.timeoutMs ?? 30_000;
  const pool = new Pool(target.origin, {
    connections: options.maxInFlight,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const total = 'amount' in options ? options.amount : Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  const answers = new Answers();
  const inFlight: Promise<void>[] = [];
  let out = 0;
  let skipped = 0;

  const send = () => {
    if (options.skipWhenBusy && out >= options.maxInFlight) {
      skipped += 1;
      return;
    }
    const graphql = scenario.request(sequence.take());
    const sentAt = performance.now();
    out += 1;
    const answered = pool
      .request({
        method: 'POST',
        path: target.pathname,
        headers: graphql.headers,
        body: graphql.body,
      })
      .then(async (answer) => {
        const body = await answer.body.text();
        answers.latencies.push(performance.now() - sentAt);
        answers.record(answer.statusCode, body);
      })
      .catch((error: unknown) => answers.failed(error))
      .finally(() => {
        out -= 1;
      });
    inFlight.push(answered);
  };

  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        send();
        sent += 1;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  const wallS = (performance.now() - started) / 1000;
  await pool.destroy();
  const result = answers.result(sent - skipped, 0, wallS);
  return skipped > 0 ? { ...result, skipped } : result;
}
