import autocannon from 'autocannon';
import type { Scenario } from './scenarios.js';

/**
 * A peak run of the load tool (autocannon, in this process) against one contender: as fast
 * as `connections` allow. (Fixed rates are paced by `paced.ts`: autocannon's own rate limit
 * sends each second's quota in one burst at the start of the second.) A run is a number of
 * requests or a duration. Counted runs end when the last answer is in, so every request sent
 * was answered: the upstream calls of the run belong to whole queries (a timed run cuts the
 * requests in flight at its end, which a server may abandon half-way). Latencies are kept
 * raw, to the microsecond (autocannon's own histogram rounds to whole ms).
 */

export type PeakOptions = { connections: number } & ({ amount: number } | { durationS: number });

export interface LoadResult {
  /** Requests written to the contender. */
  sent: number;
  /** Answers received (errors included). */
  completed: number;
  /** Answers that were not a clean 200 with data, plus socket errors and timeouts. */
  errors: number;
  /** Requests that got no answer at all (connection error, or no answer in time). */
  noAnswer: number;
  /** Paced runs only: requests not sent because every connection was busy. */
  skipped?: number;
  /** The first bad answer, cut short, to say what went wrong. */
  firstBad?: string;
  /** Completed answers per second of the run. */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  wallS: number;
}

/** Hands out request numbers, so that no two requests of a run share variables. */
export class Sequence {
  #next = 0;
  take(): number {
    const i = this.#next;
    this.#next += 1;
    return i;
  }
}

/** Tallies answers: latencies, and the bad ones (not a 200 with `data` and no `errors`). */
export class Answers {
  readonly latencies: number[] = [];
  bad = 0;
  noAnswer = 0;
  firstBad: string | undefined;

  record(status: number, body: string): void {
    if (status !== 200 || !body.startsWith('{"data":') || body.includes('"errors":')) {
      this.bad += 1;
      this.firstBad ??= `${status} ${body.slice(0, 300)}`;
    }
  }

  failed(error: unknown): void {
    this.noAnswer += 1;
    this.firstBad ??= error instanceof Error ? error.message : String(error);
  }

  result(sent: number, socketErrors: number, wallS: number): LoadResult {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      sent,
      completed: sorted.length,
      errors: this.bad + this.noAnswer + socketErrors,
      noAnswer: this.noAnswer + socketErrors,
      ...(this.firstBad === undefined ? {} : { firstBad: this.firstBad }),
      rps: sorted.length / wallS,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p90: percentile(sorted, 0.9),
        p99: percentile(sorted, 0.99),
        max: sorted.at(-1) ?? Number.NaN,
      },
      wallS,
    };
  }
}

export async function runPeak(
  url: string,
  scenario: Scenario,
  sequence: Sequence,
  options: PeakOptions,
): Promise<LoadResult> {
  const answers = new Answers();
  const started = performance.now();
  const config: autocannon.Options = {
    url,
    connections: options.connections,
    ...('amount' in options ? { amount: options.amount } : { duration: options.durationS }),
    // A timed run stops at a sample tick: ticks of 100 ms keep it close to the duration asked.
    sampleInt: 100,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: new URL(url).pathname,
        setupRequest: (request) => {
          const next = scenario.request(sequence.take());
          return { ...request, method: 'POST', headers: next.headers, body: next.body };
        },
        onResponse: (status, body) => answers.record(status, body),
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(config, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
      answers.latencies.push(responseTimeMs);
    });
  });
  const wallS = (performance.now() - started) / 1000;
  // autocannon counts its timeouts among its errors.
  return answers.result(result.requests.sent, result.errors, wallS);
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] as number;
}
