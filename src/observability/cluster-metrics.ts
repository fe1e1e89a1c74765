import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsSource } from './metrics-server.js';

/**
 * Cluster mode's one scrape: each worker counts in its own registry; the primary, which serves
 * `/metrics`, asks every worker for its metrics over the cluster's IPC channel and sums them
 * (prom-client's `AggregatorRegistry`: counters and histograms added, gauges added or, where a
 * metric says so, the maximum taken), so one scrape counts every request whichever worker
 * served it. Scraping a worker directly would see one worker's share, and the workers share
 * the public port, so a scraper could not choose one anyway.
 *
 * A worker that does not answer within prom-client's 5 s (one still starting, or dying) fails
 * that scrape; Prometheus records the target down for it and the next scrape counts again.
 */

/** In the primary: renders the sum of every live worker's metrics. */
export function clusterMetricsSource(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return {
    render: () => aggregator.clusterMetrics(),
    contentType: aggregator.contentType,
  };
}

/** In a worker: answers the primary's requests with this registry's metrics. */
export function answerClusterScrapes(registry: Registry): void {
  // Constructing one installs prom-client's listener for the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}
