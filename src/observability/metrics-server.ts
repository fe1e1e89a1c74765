import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `GET /metrics` on a listener of its own (`METRICS_HOST`:`METRICS_PORT`), never on the public
 * port: a deployment exposes the public port to the world and keeps this one for Prometheus,
 * and the public port's guards (body limits, rate limit) need not know about scrapes.
 *
 * A scrape storm costs what one scrape a second costs: scrapes that arrive while a rendering
 * is under way wait for it, and a rendering serves every scrape for a second after it
 * (Prometheus scrapes every 15 s or so, so a second-old answer misses nothing). Rendering is
 * the expensive part (in cluster mode a round trip to every worker), and the public port's
 * requests share the process with it. Connections past `MAX_CONNECTIONS` are closed at once.
 */

/** Where the text comes from: this process's registry, or the cluster primary's aggregation. */
export interface MetricsSource {
  render(): Promise<string>;
  contentType: string;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  source: MetricsSource;
  /**
   * How long one rendering answers later scrapes; 0 renders for each (tests that read a count
   * right after causing it).
   * @default RENDER_REUSE_MS
   */
  reuseMs?: number;
  /** Told when a rendering fails (a cluster worker that did not answer); the scrape gets 500. */
  onError?: (error: unknown) => void;
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** How long one rendering answers scrapes. */
export const RENDER_REUSE_MS = 1_000; // 1s
/** Scrapers connected at once: Prometheus uses one connection per target. */
export const MAX_CONNECTIONS = 16;

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const render = reusedFor(options.reuseMs ?? RENDER_REUSE_MS, () => options.source.render());
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    render().then(
      (text) => {
        response.writeHead(200, { 'content-type': options.source.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        options.onError?.(error);
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.keepAliveTimeout = 65 * 1000; // 65s: a scraper's connection lives between scrapes
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * `produce`, shared: calls while one is under way get its promise, and a fulfilled result is
 * reused for `ms` after it settled. A failure is not reused, so the next scrape tries again.
 */
function reusedFor(ms: number, produce: () => Promise<string>): () => Promise<string> {
  let current: Promise<string> | undefined;
  let settledAt = 0;
  return () => {
    if (current && (settledAt === 0 || performance.now() - settledAt < ms)) return current;
    settledAt = 0;
    const attempt = produce().then(
      (text) => {
        settledAt = performance.now();
        return text;
      },
      (error: unknown) => {
        if (current === attempt) current = undefined;
        throw error;
      },
    );
    current = attempt;
    return attempt;
  };
}
