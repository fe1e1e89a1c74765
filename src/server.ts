import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { isPrimary, runPrimary } from './cluster.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { setupTracing } from './observability/tracing.js';
import { createSkyway, type Skyway, type SkywayOptions } from './yoga.js';

/** A listening BFF: where it is and how to stop it. */
export interface RunningServer {
  url: string;
  /** The BFF behind the socket: its upstream clients and their policies, for tests and probes. */
  skyway: Skyway;
  close(): Promise<void>;
}

/** Listens on the configured host and port (0 picks a free one). */
export async function startServer(
  config: Config,
  options: SkywayOptions = {},
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
  const { port } = server.address() as AddressInfo;
  skyway.completer.start();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
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
      await skyway.close();
      // Log lines are written in batches: the last batch goes out before the process does.
      await new Promise<void>((resolve) => skyway.logger.flush(() => resolve()));
    },
  };
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
  if (config.workers > 1 && isPrimary()) {
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
    runPrimary({
      workers: config.workers,
      log: (message, fields) => logger.info(fields ?? {}, message),
    });
    return;
  }
  const stopTracing = setupTracing(process.env);
  const server = await startServer(config);
  server.skyway.logger.info(
    { url: `${server.url}/graphql` },
    `Skyway BFF listening on ${server.url}/graphql`,
  );
  server.skyway.logger.flush();
  stopOnSignals(async () => {
    await server.close();
    await stopTracing();
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
