import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  clientAddressFrom,
  type ForwardingHeader,
  MAX_PROXY_HOPS,
  type TrustedProxies,
} from './client-address.js';
import { RESILIENCE_SETTINGS, resilienceFromEnv } from './resilience/env.js';
import type { ResilienceOptions } from './resilience/options.js';
import { shownValue } from './shown-value.js';
import { isRedisUrl } from './stores/redis-url.js';

/**
 * The BFF's whole configuration, read once from the environment at start and validated, so a
 * bad value stops the process with a message naming the variable instead of failing later.
 */

export const UPSTREAM_NAMES = ['accounts', 'deliveries', 'packages', 'drones', 'payments'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

export const DEFAULT_UPSTREAM_URLS: Record<UpstreamName, string> = {
  accounts: 'http://127.0.0.1:4101',
  deliveries: 'http://127.0.0.1:4102',
  packages: 'http://127.0.0.1:4103',
  drones: 'http://127.0.0.1:4104',
  payments: 'http://127.0.0.1:4105',
};

/** Where codegen writes the manifest, found from this file so any working directory works. */
export const DEFAULT_PERSISTED_DOCUMENTS_MANIFEST = fileURLToPath(
  new URL('../clients/generated/persisted-documents.json', import.meta.url),
);

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const boolean = z.enum(['true', 'false']).transform((value) => value === 'true');
const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));
const REDIS_URLS =
  'a redis://, redis+cluster://host:port,… or redis+sentinel://host:port,…/master URL';
/** Redis key prefixes: braces would move the hash tag that keeps a record's keys in one slot. */
const keyPrefix = z
  .string()
  .min(1)
  .regex(/^[^{}]*$/, 'no { or } (they would set the hash tag)');
/** `https://app.example.com,http://localhost:5173`: exact origins, or `*` alone for any. */
const origins = z
  .string()
  .transform((text) => text.split(',').map((origin) => origin.trim()))
  .refine(
    (list) =>
      (list.length === 1 && list[0] === '*') ||
      list.every((origin) => URL.canParse(origin) && new URL(origin).origin === origin),
    'a comma list of origins (scheme://host[:port]) or *',
  );

const PROXIES_EXPECTED = `a comma list of IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal, or a number of hops from 0 to ${MAX_PROXY_HOPS}`;
/**
 * `loopback,10.0.0.0/8`, or `1`: the proxies whose `X-Forwarded-For` is believed, by address or
 * by count of hops, as `clientAddressFrom` accepts them (client-address.ts).
 */
const proxies = z.string().transform((written, ctx): TrustedProxies => {
  const text = written.trim();
  const trusted = /^\d+$/.test(text)
    ? Number(text)
    : text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
  try {
    clientAddressFrom(trusted);
    return trusted;
  } catch {
    ctx.addIssue({ code: 'custom', message: PROXIES_EXPECTED });
    return z.NEVER;
  }
});

/** One row per variable: the README's configuration table is checked against this. */
const EnvSchema = z.object({
  // Unset means production: a deployment that forgets it must not serve stack traces,
  // GraphiQL or introspection. `npm start` sets development.
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  /**
   * Prometheus's `/metrics` on a listener of its own, never on the public port: 9464 is the
   * OpenTelemetry Prometheus exporter's port. In cluster mode the primary serves it for all workers.
   */
  METRICS_PORT: port.default(9464),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  UPSTREAM_ACCOUNTS_URL: httpUrl.default(DEFAULT_UPSTREAM_URLS.accounts),
  UPSTREAM_DELIVERIES_URL: httpUrl.default(DEFAULT_UPSTREAM_URLS.deliveries),
  UPSTREAM_PACKAGES_URL: httpUrl.default(DEFAULT_UPSTREAM_URLS.packages),
  UPSTREAM_DRONES_URL: httpUrl.default(DEFAULT_UPSTREAM_URLS.drones),
  UPSTREAM_PAYMENTS_URL: httpUrl.default(DEFAULT_UPSTREAM_URLS.payments),
  /** Worker processes sharing the port (cluster mode); 1 runs a single process. */
  WEB_CONCURRENCY: positiveInt.max(64).default(1),
  /** pino level of the JSON logs on stdout. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** On SIGTERM, how long in-flight requests may take to finish before connections are cut. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  /** Total time budget of one GraphQL request, upstream calls included. */
  REQUEST_TIMEOUT_MS: positiveInt.default(3_000),
  /** Keep-alive connections per upstream pool. */
  UPSTREAM_CONNECTIONS: positiveInt.default(64),
  /** Largest upstream response body read; a larger one is a BAD_RESPONSE, not an OOM. */
  UPSTREAM_MAX_BODY_BYTES: positiveInt.default(5 * 1024 * 1024),
  /**
   * Records kept per upstream resource when the service's answers allow a shared cache to keep
   * them (`Cache-Control`, judged by http-cache-semantics), for as long as they allow; 0
   * keeps none. Kept per record, so a batch read asks only for the ids not kept.
   */
  UPSTREAM_RECORD_CACHE_SIZE: z.coerce.number().int().min(0).default(10_000),
  /** Ids per batch call; the services document 100 as their maximum. */
  UPSTREAM_MAX_BATCH_SIZE: positiveInt.max(100).default(100),
  /** `false` turns DataLoader batching off (one upstream call per item): the benchmark's naive contender. */
  LOADER_BATCHING: z.enum(['true', 'false']).default('true'),
  /** Trusted documents: `off` (text only), `allow` (hashes and text) or `require` (hashes only). */
  PERSISTED_DOCUMENTS: z.enum(['off', 'allow', 'require']).default('off'),
  /** The manifest of sha256 → document that `npm run codegen` writes. */
  PERSISTED_DOCUMENTS_MANIFEST: z.string().min(1).optional(),
  /** Where mutations' idempotency records live: `memory` (one instance) or a Redis URL (shared). */
  IDEMPOTENCY_STORE: z
    .string()
    .refine((value) => value === 'memory' || isRedisUrl(value), `memory or ${REDIS_URLS}`)
    .default('memory'),
  /** How long a completed mutation is remembered for its key. */
  IDEMPOTENCY_RETENTION_S: positiveInt.default(24 * 3600),
  /** How long a running mutation holds its key before a retry may take it over; above the request budget. */
  IDEMPOTENCY_LEASE_MS: positiveInt.default(10_000),
  /** How long a retry waits for its running twin before IDEMPOTENCY_KEY_IN_USE; 0 answers at once. */
  IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(0).default(0),
  /**
   * Records the memory store keeps at most: finished ones make room, least recently used
   * first; an unfinished saga's record is never dropped (memory-store.ts).
   */
  IDEMPOTENCY_MAX_RECORDS: positiveInt.default(100_000),
  /** How often each instance looks for sagas whose client is gone (src/sagas); 0 turns it off. */
  SAGA_COMPLETER_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  /** How long after its lease ended a saga counts as abandoned: a client's retry goes first. */
  SAGA_COMPLETER_IDLE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Completer takeovers after which a saga is stuck (logged as an error, counted, alerted). */
  SAGA_MAX_ATTEMPTS: positiveInt.default(10),
  /** Prefix of the Redis keys of idempotency records. */
  IDEMPOTENCY_KEY_PREFIX: keyPrefix.default('skyway:idem:'),
  /** Origins whose browser apps may call the API cross-origin; none when unset. */
  CORS_ORIGINS: origins.optional(),
  /** Proxies whose `X-Forwarded-For` is believed; none when unset (the socket's peer is the client). */
  TRUSTED_PROXIES: proxies.optional(),
  /** The header those proxies append the client's address to: theirs only is read. */
  TRUSTED_PROXY_HEADER: z.enum(['x-forwarded-for', 'forwarded']).default('x-forwarded-for'),
  /** JWKS of the token issuer; defaults to the accounts service's. */
  AUTH_JWKS_URL: httpUrl.optional(),
  AUTH_ISSUER: z.string().min(1).default('skyway-accounts'),
  AUTH_AUDIENCE: z.string().min(1).default('skyway-bff'),
  /** Guarded entry (src/plugins): the most query-cost points one operation may cost. */
  QUERY_MAX_COST: positiveInt.default(1000),
  QUERY_MAX_DEPTH: positiveInt.default(10),
  QUERY_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  QUERY_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  QUERY_MAX_TOKENS: positiveInt.default(2000),
  /** Largest request body read; a larger one is refused with 413 before it is parsed. */
  REQUEST_MAX_BODY_BYTES: positiveInt.default(100 * 1024),
  /** `extensions.cost` (and the rate-limit budget) in responses; default on in development only. */
  QUERY_COST_EXTENSION: boolean.optional(),
  /** Introspection and "did you mean" suggestions; default off in production only. */
  GRAPHQL_INTROSPECTION: boolean.optional(),
  GRAPHQL_SUGGESTIONS: boolean.optional(),
  /** `memory` (one instance), a Redis URL (shared by instances) or `off`; default off in test. */
  RATE_LIMIT_STORE: z
    .string()
    .refine(
      (value) => value === 'memory' || value === 'off' || isRedisUrl(value),
      `memory, off or ${REDIS_URLS}`,
    )
    .optional(),
  /** Query-cost points a caller can hold, and spend in one burst; at least QUERY_MAX_COST. */
  RATE_LIMIT_CAPACITY: positiveInt.default(1000),
  /**
   * Points a caller gets back per second. An operation is charged what it made the services
   * do (a point a record), so a dispatcher's DispatchBoard costs up to 501 (463 on the mocks'
   * seed). Refreshed every 2 s that is at most 250.5 points/s; 300 covers it with a fifth to
   * spare for a refresh timer firing early, while a burst still cannot run more boards at
   * once than the capacity holds estimates (1000 / 501: one).
   */
  RATE_LIMIT_RESTORE_PER_S: z.coerce.number().positive().default(300),
  /** Prefix of the Redis keys of rate-limit buckets. */
  RATE_LIMIT_KEY_PREFIX: keyPrefix.default('skyway:rate:'),
});

export type Env = z.input<typeof EnvSchema>;

/** Every variable the BFF reads (per-upstream overrides `UPSTREAM_<NAME>_<SETTING>` aside). */
export const ENV_VARIABLES: readonly string[] = [
  ...Object.keys(EnvSchema.shape),
  ...Object.keys(RESILIENCE_SETTINGS).map((setting) => `UPSTREAM_${setting}`),
];

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Where `/metrics` listens: apart from the public port, so scrapes and clients never share it. */
  metrics: { host: string; port: number };
  requestTimeoutMs: number;
  /** Worker processes (`WEB_CONCURRENCY`). */
  workers: number;
  logLevel: string;
  shutdownTimeoutMs: number;
  upstreams: Record<UpstreamName, string>;
  upstreamConnections: number;
  /** Deadline, retries, breaker and bulkhead per upstream. */
  resilience: Record<UpstreamName, ResilienceOptions>;
  upstreamMaxBodyBytes: number;
  /** Per upstream; 0 when caching is off. */
  upstreamRecordCacheSize: number;
  maxBatchSize: number;
  idempotency: {
    store: string;
    keyPrefix: string;
    maxRecords: number;
    retentionMs: number;
    leaseMs: number;
    waitMs: number;
  };
  /** The completer that finishes sagas whose client is gone. */
  sagas: { intervalMs: number; idleMs: number; maxAttempts: number };
  /** False only to measure what batching saves. */
  batching: boolean;
  /** Which operations may run by hash, and whether text may run at all (src/plugins). */
  persistedDocuments: { mode: 'off' | 'allow' | 'require'; manifest: string };
  auth: { jwksUrl: string; issuer: string; audience: string };
  /** Origins allowed cross-origin (`*`: any); empty: none. */
  corsOrigins: string[];
  /** Proxies whose `X-Forwarded-For` names the client, by address or hop count (client-address.ts); empty or 0: none. */
  trustedProxies: TrustedProxies;
  /** Which header of theirs: `X-Forwarded-For`, or RFC 7239's `Forwarded`. */
  forwardingHeader: ForwardingHeader;
  /** Limits checked before anything runs (src/plugins). */
  guards: {
    maxCost: number;
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    maxBodyBytes: number;
    exposeCost: boolean;
    introspection: boolean;
    suggestions: boolean;
  };
  /** Leaky bucket of query-cost points per caller (src/rate-limit). */
  rateLimit: { store: string; capacity: number; restorePerS: number; keyPrefix: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the configuration; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as shells and compose files tend to produce them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = EnvSchema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map(
        (issue) =>
          `${issue.path.join('.')}: ${issue.message} (got ${shownValue(present[String(issue.path[0])])})`,
      );
  const resilience = Object.fromEntries(
    UPSTREAM_NAMES.map((name) => [name, resilienceFromEnv(present, name, problems)]),
  ) as Record<UpstreamName, ResilienceOptions>;
  if (parsed.success && parsed.data.IDEMPOTENCY_LEASE_MS <= parsed.data.REQUEST_TIMEOUT_MS) {
    // A lease shorter than a request could run would let a retry take over a live request.
    problems.push(
      `IDEMPOTENCY_LEASE_MS: must be above REQUEST_TIMEOUT_MS (got ${parsed.data.IDEMPOTENCY_LEASE_MS}, REQUEST_TIMEOUT_MS is ${parsed.data.REQUEST_TIMEOUT_MS})`,
    );
  }
  if (
    parsed.success &&
    parsed.data.RATE_LIMIT_STORE !== 'off' &&
    parsed.data.RATE_LIMIT_CAPACITY < parsed.data.QUERY_MAX_COST
  ) {
    // An operation the cost limit lets through must fit in a full bucket.
    problems.push(
      `RATE_LIMIT_CAPACITY: must be at least QUERY_MAX_COST (got ${parsed.data.RATE_LIMIT_CAPACITY}, QUERY_MAX_COST is ${parsed.data.QUERY_MAX_COST})`,
    );
  }
  if (!parsed.success || problems.length > 0) {
    // A general resilience variable (`UPSTREAM_TIMEOUT_MS`) is read once per upstream, so
    // the same problem would otherwise be listed five times.
    throw new ConfigError(`Invalid configuration:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    workers: e.WEB_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    upstreams: {
      accounts: e.UPSTREAM_ACCOUNTS_URL,
      deliveries: e.UPSTREAM_DELIVERIES_URL,
      packages: e.UPSTREAM_PACKAGES_URL,
      drones: e.UPSTREAM_DRONES_URL,
      payments: e.UPSTREAM_PAYMENTS_URL,
    },
    upstreamConnections: e.UPSTREAM_CONNECTIONS,
    resilience,
    upstreamMaxBodyBytes: e.UPSTREAM_MAX_BODY_BYTES,
    upstreamRecordCacheSize: e.UPSTREAM_RECORD_CACHE_SIZE,
    maxBatchSize: e.UPSTREAM_MAX_BATCH_SIZE,
    batching: e.LOADER_BATCHING === 'true',
    persistedDocuments: {
      mode: e.PERSISTED_DOCUMENTS,
      manifest: e.PERSISTED_DOCUMENTS_MANIFEST ?? DEFAULT_PERSISTED_DOCUMENTS_MANIFEST,
    },
    idempotency: {
      store: e.IDEMPOTENCY_STORE,
      keyPrefix: e.IDEMPOTENCY_KEY_PREFIX,
      maxRecords: e.IDEMPOTENCY_MAX_RECORDS,
      retentionMs: e.IDEMPOTENCY_RETENTION_S * 1000,
      leaseMs: e.IDEMPOTENCY_LEASE_MS,
      waitMs: e.IDEMPOTENCY_WAIT_MS,
    },
    sagas: {
      intervalMs: e.SAGA_COMPLETER_INTERVAL_MS,
      idleMs: e.SAGA_COMPLETER_IDLE_MS,
      maxAttempts: e.SAGA_MAX_ATTEMPTS,
    },
    auth: {
      jwksUrl: e.AUTH_JWKS_URL ?? `${e.UPSTREAM_ACCOUNTS_URL}/.well-known/jwks.json`,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
    },
    corsOrigins: e.CORS_ORIGINS ?? [],
    trustedProxies: e.TRUSTED_PROXIES ?? [],
    forwardingHeader: e.TRUSTED_PROXY_HEADER,
    guards: {
      maxCost: e.QUERY_MAX_COST,
      maxDepth: e.QUERY_MAX_DEPTH,
      maxAliases: e.QUERY_MAX_ALIASES,
      maxDirectives: e.QUERY_MAX_DIRECTIVES,
      maxTokens: e.QUERY_MAX_TOKENS,
      maxBodyBytes: e.REQUEST_MAX_BODY_BYTES,
      exposeCost: e.QUERY_COST_EXTENSION ?? e.NODE_ENV === 'development',
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      suggestions: e.GRAPHQL_SUGGESTIONS ?? e.NODE_ENV !== 'production',
    },
    rateLimit: {
      // Off by default under test, where suites replay the apps' screens many times a second.
      store: e.RATE_LIMIT_STORE ?? (e.NODE_ENV === 'test' ? 'off' : 'memory'),
      capacity: e.RATE_LIMIT_CAPACITY,
      restorePerS: e.RATE_LIMIT_RESTORE_PER_S,
      keyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    },
  };
}
