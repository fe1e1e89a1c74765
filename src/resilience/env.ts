import { z } from 'zod';
import { shownValue } from '../shown-value.js';
import { DEFAULT_RESILIENCE, type ResilienceOptions } from './options.js';

/**
 * The resilience settings as environment variables: `UPSTREAM_<SETTING>` for every upstream,
 * `UPSTREAM_<NAME>_<SETTING>` for one (`UPSTREAM_DRONES_TIMEOUT_MS=300`), the latter winning.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);
const share = z.coerce.number().gt(0).lt(1);

interface Setting {
  schema: z.ZodType<number>;
  apply(options: ResilienceOptions, value: number): void;
  describe: string;
}

export const RESILIENCE_SETTINGS: Record<string, Setting> = {
  TIMEOUT_MS: {
    schema: int(1),
    apply: (o, v) => {
      o.attemptTimeoutMs = v;
    },
    describe: 'longest one attempt may take',
  },
  RETRIES: {
    schema: int(0, 10),
    apply: (o, v) => {
      o.retry.maxRetries = v;
    },
    describe: 'retries after the first attempt (GETs and keyed writes only)',
  },
  RETRY_BASE_MS: {
    schema: int(0),
    apply: (o, v) => {
      o.retry.baseDelayMs = v;
    },
    describe: 'full-jitter backoff base',
  },
  RETRY_CAP_MS: {
    schema: int(0),
    apply: (o, v) => {
      o.retry.maxDelayMs = v;
    },
    describe: 'full-jitter backoff cap',
  },
  RETRY_BUDGET_RATIO: {
    schema: z.coerce.number().min(0).max(1),
    apply: (o, v) => {
      o.retryBudget.ratio = v;
    },
    describe: 'retries allowed as a share of the calls of the last 10 s',
  },
  RETRY_BUDGET_MIN_PER_S: {
    schema: z.coerce.number().min(0),
    apply: (o, v) => {
      o.retryBudget.minPerSecond = v;
    },
    describe: 'retries allowed per second whatever the traffic',
  },
  BREAKER_THRESHOLD: {
    schema: share,
    apply: (o, v) => {
      o.breaker.threshold = v;
    },
    describe: 'share of failed calls in the window that opens the breaker',
  },
  BREAKER_WINDOW_MS: {
    schema: int(1000),
    apply: (o, v) => {
      o.breaker.windowMs = v;
    },
    describe: 'rolling window the breaker judges',
  },
  BREAKER_MIN_CALLS: {
    schema: int(1),
    apply: (o, v) => {
      o.breaker.minimumCalls = v;
    },
    describe: 'calls in the window before the breaker may open',
  },
  BREAKER_OPEN_MS: {
    schema: int(1),
    apply: (o, v) => {
      o.breaker.openMs = v;
    },
    describe: 'time open before a probe is let through',
  },
  BULKHEAD_CONCURRENCY: {
    schema: int(1),
    apply: (o, v) => {
      o.bulkhead.concurrency = v;
    },
    describe: 'calls in flight at once',
  },
  BULKHEAD_QUEUE: {
    schema: int(0),
    apply: (o, v) => {
      o.bulkhead.queue = v;
    },
    describe: 'calls waiting for a slot before failing fast',
  },
};

/** One upstream's options; each bad variable is added to `problems` by name. */
export function resilienceFromEnv(
  env: Record<string, string | undefined>,
  upstream: string,
  problems: string[],
): ResilienceOptions {
  const options = structuredClone(DEFAULT_RESILIENCE);
  for (const [key, setting] of Object.entries(RESILIENCE_SETTINGS)) {
    const specific = `UPSTREAM_${upstream.toUpperCase()}_${key}`;
    const general = `UPSTREAM_${key}`;
    const name = env[specific] !== undefined ? specific : general;
    const raw = env[name];
    if (raw === undefined) continue;
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) setting.apply(options, parsed.data);
    else
      problems.push(
        `${name}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${shownValue(raw)})`,
      );
  }
  return options;
}
