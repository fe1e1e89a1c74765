import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { isPrimary, runPrimary } from './cluster.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { answerClusterScrapes, clusterMetricsSource } from './observability/cluster-metrics.js';
import { createLogger } from './observability/logger.js';
import { type MetricsServer, startMetricsServer } from './observability/metrics-server.js';
import { setupTracing } from './observability/tracing.js';
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
  const server = createServer(skyway.yoga);
  // Longer than a load balancer's idle timeout, so the LB, not us, closes idle connections.
  server.keepAliveTimeout = 65 * 1000; // 65s
  server.headersTimeout = 66 * 1000; // 66s, above keepAliveTimeout as Node requires
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
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
      throw error;
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
 * The line a person needs when the BFF's port is taken (another `npm start` or `npm run
 * serve` still running), naming what to change; undefined for any other failure.
 */
export function portTakenLine(error: unknown, config: Config): string | undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return undefined;
  return `the BFF cannot listen on ${config.host}:${config.port}: the port is taken; set PORT to another port (0 picks a free one)`;
}

/** Why the configured address cannot be listened on, or undefined when it can (port 0 always can). */
async function listenFailure(config: Config): Promise<unknown> {
  if (config.port === 0) return undefined;
  const probe = createNetServer();
  return new Promise((resolve) => {
    probe.once('error', resolve);
    probe.listen(config.port, config.host, () => probe.close(() => resolve(undefined)));
  });
}

/** Prints a misspelled variable's warning once, from the process that read the configuration. */
export function warnAboutUnknownVariables(env: Record<string, string | undefined>): void {
  for (const warning of unknownVariableWarnings(env)) console.warn(`warning: ${warning}`);
}

/** Closes everything once on the first SIGTERM or SIGINT, then exits 0. */
export function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** `npm run serve`: the BFF alone, against the upstream URLs in the environment. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  if (isPrimary()) warnAboutUnknownVariables(process.env);
  if (config.workers > 1 && isPrimary()) {
    // Workers would each fail on a taken port and be replaced, one line and one fork a second
    // for ever: find out once, here, before forking any.
    const taken = portTakenLine(await listenFailure(config), config);
    if (taken !== undefined) {
      console.error(taken);
      process.exit(2);
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
    });
    logger.info({ url: metrics.url }, `Skyway metrics on ${metrics.url}`);
    runPrimary({
      workers: config.workers,
      log: (message, fields) => logger.info(fields ?? {}, message),
    });
    return;
  }
  const stopTracing = setupTracing(process.env);
  const server = await startServer(config).catch((error: unknown) => {
    const line = portTakenLine(error, config);
    if (line === undefined) throw error;
    console.error(line);
    process.exit(2);
  });
  // Handlers first: whoever reads the line below may send SIGTERM at once.
  stopOnSignals(async () => {
    await server.close();
    await stopTracing();
  });
  server.skyway.logger.info(
    { url: `${server.url}/graphql` },
    `Skyway BFF listening on ${server.url}/graphql`,
  );
  if (server.metricsUrl) {
    server.skyway.logger.info({ url: server.metricsUrl }, `Skyway metrics on ${server.metricsUrl}`);
  }
  server.skyway.logger.flush();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
