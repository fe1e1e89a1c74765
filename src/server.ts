import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { isPrimary, runPrimary } from './cluster.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { answerClusterScrapes, clusterMetricsSource } from './observability/cluster-metrics.js';
import { createLogger } from './observability/logger.js';
import { type MetricsServer, startMetricsServer } from './observability/metrics-server.js';
import { setupTracing } from './observability/tracing.js';
import {
  loadPersistedDocuments,
  PersistedDocumentsError,
} from './plugins/persisted-documents-manifest.js';
import { asPortTaken, bffListeners, portTakenLine, takenPortLines } from './port-taken.js';
import { unknownVariableWarnings } from './unknown-variables.js';
import { createSkyway, type Skyway, type SkywayOptions } from './yoga.js';

/** A listening BFF: where it is and how to stop it. */
export interface RunningServer {
  url: string;
  /** Where Prometheus scrapes; absent in a cluster worker, whose primary serves the sum. */
  metricsUrl?: string;
  /** The BFF behind the socket: its upstream clients and their policies, for tests and probes. */
  skyway: Skyway;
  close(): Promise<void>;
}

export interface ServerOptions extends SkywayOptions {
  /** How long one rendering of `/metrics` answers scrapes (metrics-server.ts). */
  metricsReuseMs?: number;
}

/**
 * Listens on the configured host and port (0 picks a free one), and serves `/metrics` on the
 * metrics host and port; a cluster worker answers its primary's scrapes instead.
 */
export async function startServer(
  config: Config,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const skyway = createSkyway(config, options);
  const listeners = bffListeners(config);
  const server = createServer(skyway.yoga);
  // Longer than a load balancer's idle timeout, so the LB, not us, closes idle connections.
  server.keepAliveTimeout = 65 * 1000; // 65s
  server.headersTimeout = 66 * 1000; // 66s, above keepAliveTimeout as Node requires
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(asPortTaken(error, listeners.graphql)));
    server.listen(config.port, config.host, resolve);
  }).catch(async (error: unknown) => {
    await skyway.close();
    throw error;
  });
  let metricsServer: MetricsServer | undefined;
  if (cluster.isWorker) answerClusterScrapes(skyway.metrics.registry);
  else {
    metricsServer = await startMetricsServer({
      ...config.metrics,
      reuseMs: options.metricsReuseMs,
      source: {
        render: () => skyway.metrics.render(),
        contentType: skyway.metrics.registry.contentType,
      },
      onError: (error) => skyway.logger.error({ err: error }, 'metrics rendering failed'),
    }).catch(async (error: unknown) => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await skyway.close();
      throw asPortTaken(error, listeners.metrics);
    });
  }
  const { port } = server.address() as AddressInfo;
  skyway.completer.start();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    metricsUrl: metricsServer?.url,
    skyway,
    async close() {
      // Stop accepting new connections and tell the load balancer (readyz 503); requests in
      // flight finish, their connections closing behind them; past the deadline, the rest is
      // cut. Then the pools and stores close.
      skyway.drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => {
        skyway.logger.warn(
          { timeoutMs: config.shutdownTimeoutMs },
          'shutdown deadline passed; cutting connections',
        );
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await closed;
      clearTimeout(deadline);
      // Scraped until the last request is done, so the final counts can still be read.
      await metricsServer?.close();
      await skyway.close();
      // Log lines are written in batches: the last batch goes out before the process does.
      await new Promise<void>((resolve) => skyway.logger.flush(() => resolve()));
    },
  };
}

/**
 * The one line a person can act on when the start fails for a reason they can fix: a bad
 * variable, a taken port, a bad persisted-documents manifest; undefined for anything else.
 */
export function startFailureLine(error: unknown): string | undefined {
  if (error instanceof ConfigError || error instanceof PersistedDocumentsError) {
    return error.message;
  }
  return portTakenLine(error);
}

/** Prints a misspelled variable's warning once, from the process that read the configuration. */
export function warnAboutUnknownVariables(env: Record<string, string | undefined>): void {
  for (const warning of unknownVariableWarnings(env)) console.warn(`warning: ${warning}`);
}

/** How a stopping process says so: a person's terminal, or the JSON log a service writes. */
export interface ShutdownReporter {
  stopping(signal: NodeJS.Signals): void;
  failed(error: unknown): void;
}

const TERMINAL: ShutdownReporter = {
  stopping: (signal) => console.log(`${signal}: shutting down`),
  failed: (error) => console.error('shutdown failed', error),
};

/** Closes everything once on the first SIGTERM or SIGINT, then exits 0. */
export function stopOnSignals(close: () => Promise<void>, say: ShutdownReporter = TERMINAL): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say.stopping(signal);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        say.failed(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** `npm run serve`: the BFF alone, against the upstream URLs in the environment. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (isPrimary()) warnAboutUnknownVariables(process.env);
  if (config.workers > 1 && isPrimary()) {
    // Workers would each fail on a taken port or a bad manifest and be replaced, one line
    // and one fork a second for ever: find out once, here, before forking any.
    const listeners = bffListeners(config);
    const taken = await takenPortLines([listeners.graphql, listeners.metrics]);
    if (taken.length > 0) {
      console.error(taken.join('\n'));
      process.exit(2);
    }
    if (config.persistedDocuments.mode !== 'off') {
      loadPersistedDocuments(config.persistedDocuments.manifest);
    }
    const logger = createLogger(config.logLevel);
    if (config.rateLimit.store === 'memory') {
      logger.warn(
        'WEB_CONCURRENCY > 1 with RATE_LIMIT_STORE=memory: each worker gives every caller a full budget; use a redis:// store',
      );
    }
    if (config.idempotency.store === 'memory') {
      logger.warn(
        'WEB_CONCURRENCY > 1 with IDEMPOTENCY_STORE=memory: each worker keeps its own records, so a retry landing on another worker is only caught by the services; use a redis:// store',
      );
    }
    // One scrape for every worker, summed here (cluster-metrics.ts); listening before the
    // workers are forked, so a taken port stops the start instead of orphaning them.
    const metrics = await startMetricsServer({
      ...config.metrics,
      source: clusterMetricsSource(),
      onError: (error) => logger.warn({ err: error }, 'cluster metrics unavailable'),
    }).catch((error: unknown) => {
      throw asPortTaken(error, listeners.metrics);
    });
    logger.info({ url: metrics.url }, `Skyway metrics on ${metrics.url}`);
    runPrimary({
      workers: config.workers,
      log: (message, fields) => logger.info(fields ?? {}, message),
    });
    return;
  }
  const stopTracing = setupTracing(process.env);
  const server = await startServer(config);
  // Handlers first: whoever reads the line below may send SIGTERM at once.
  // Its stdout is a JSON log: the shutdown is told there, not as a line of text among it.
  const { logger } = server.skyway;
  stopOnSignals(
    async () => {
      await server.close();
      await stopTracing();
    },
    {
      stopping: (signal) => logger.info({ signal }, 'shutting down'),
      failed: (error) => logger.error({ err: error }, 'shutdown failed'),
    },
  );
  server.skyway.logger.info(
    { url: `${server.url}/graphql` },
    `Skyway BFF listening on ${server.url}/graphql`,
  );
  if (server.metricsUrl) {
    server.skyway.logger.info({ url: server.metricsUrl }, `Skyway metrics on ${server.metricsUrl}`);
  }
  server.skyway.logger.flush();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main().catch((error: unknown) => {
    const line = startFailureLine(error);
    if (line === undefined) throw error;
    console.error(line);
    process.exit(2);
  });
}
