import { Gauge } from 'prom-client';
import type { IdempotentMutations } from '../idempotency/index.js';
import { SAGA_OUTCOMES, type SagaEvents } from '../sagas/events.js';
import { SAGA_NAMES } from '../sagas/saga.js';
import type { Upstreams } from '../upstreams/index.js';
import type { Metrics } from './metrics.js';

/**
 * Metrics read from the resilience policies and the idempotency runner when scraped, so the
 * hot path keeps plain counters and the exporter reads them.
 */

const BREAKER_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;

export function observePolicies(metrics: Metrics, upstreams: Upstreams): void {
  const policies = () =>
    Object.entries(upstreams.http).map(([upstream, http]) => [upstream, http.policy] as const);
  metrics.observe(
    'skyway_upstream_breaker_state',
    'Circuit breaker state per upstream: 0 closed, 1 half-open (its open period is over: the next call is a probe), 2 open (calls refused).',
    ['upstream'],
    () =>
      policies().map(([upstream, policy]) => [{ upstream }, BREAKER_VALUES[policy.breakerState]]),
    'gauge',
    // Across cluster workers the worst state shows: one worker's open breaker is an open breaker.
    'max',
  );
  metrics.observe(
    'skyway_upstream_bulkhead_in_flight',
    'Calls in flight per upstream.',
    ['upstream'],
    () => policies().map(([upstream, policy]) => [{ upstream }, policy.bulkheadLoad.inFlight]),
  );
  metrics.observe(
    'skyway_upstream_bulkhead_queued',
    'Calls waiting for a bulkhead slot per upstream.',
    ['upstream'],
    () => policies().map(([upstream, policy]) => [{ upstream }, policy.bulkheadLoad.queued]),
  );
  metrics.observe(
    'skyway_upstream_retries_total',
    'Retries made per upstream.',
    ['upstream'],
    () => policies().map(([upstream, policy]) => [{ upstream }, policy.counters.retries]),
    'counter',
  );
  metrics.observe(
    'skyway_upstream_rejections_total',
    'Calls refused without reaching the upstream, by reason.',
    ['upstream', 'reason'],
    () =>
      policies().flatMap(([upstream, policy]) => [
        [{ upstream, reason: 'CIRCUIT_OPEN' }, policy.counters.rejectedOpen],
        [{ upstream, reason: 'BULKHEAD_FULL' }, policy.counters.rejectedBulkhead],
        [{ upstream, reason: 'RETRY_BUDGET' }, policy.counters.retriesDenied],
      ]),
    'counter',
  );
}

/** Records a request got without asking its service: from the record cache, or another request's read. */
export function observeRecordReuse(metrics: Metrics, upstreams: Upstreams): void {
  metrics.observe(
    'skyway_upstream_records_reused_total',
    "Upstream records served without a call of their own, by upstream, resource and source: cache (kept from an earlier answer) or in_flight (waited for another request's read).",
    ['upstream', 'resource', 'source'],
    () =>
      Object.values(upstreams.readers).flatMap((reader) => {
        const labels = { upstream: reader.upstream, resource: reader.collection };
        return [
          [{ ...labels, source: 'cache' }, reader.cached],
          [{ ...labels, source: 'in_flight' }, reader.joined],
        ] as Array<[Record<string, string>, number]>;
      }),
    'counter',
  );
}

export function observeIdempotency(metrics: Metrics, idempotency: IdempotentMutations): void {
  metrics.observe(
    'skyway_idempotency_total',
    'Idempotent mutations by outcome: executed, replayed, resumed, key reused, key in use, lease lost, refused for a full store.',
    ['outcome'],
    () => {
      const { executions, replays, resumed, conflicts, inUse, lostLeases, storeFull } =
        idempotency.counters;
      return [
        [{ outcome: 'executed' }, executions],
        [{ outcome: 'replayed' }, replays],
        [{ outcome: 'resumed' }, resumed],
        [{ outcome: 'key_reused' }, conflicts],
        [{ outcome: 'key_in_use' }, inUse],
        [{ outcome: 'lease_lost' }, lostLeases],
        [{ outcome: 'store_full' }, storeFull],
      ];
    },
    'counter',
  );
}

export function observeSagas(metrics: Metrics, events: SagaEvents): void {
  metrics.observe(
    'skyway_saga_total',
    'Multi-step mutations by saga and outcome: completed, compensated (undone, no money kept), resumed by the completer, stuck (the completer gave up).',
    ['saga', 'outcome'],
    () =>
      SAGA_NAMES.flatMap((saga) =>
        SAGA_OUTCOMES.map((outcome): [Record<string, string>, number] => [
          { saga, outcome },
          events.count(saga, outcome),
        ]),
      ),
    'counter',
  );
}

/**
 * Whether each shared store answers a ping, asked when scraped: what the "idempotency store
 * down" alert reads. Across cluster workers the lowest counts: one worker cut off is down.
 */
export function observeStores(
  metrics: Metrics,
  pings: Record<string, () => Promise<boolean>>,
): void {
  new Gauge({
    name: 'skyway_store_up',
    help: 'Whether a shared store answers a ping: 1 up, 0 down.',
    labelNames: ['store'],
    aggregator: 'min',
    registers: [metrics.registry],
    async collect() {
      const results = await Promise.all(
        Object.entries(pings).map(
          async ([store, ping]) => [store, await ping().catch(() => false)] as const,
        ),
      );
      for (const [store, up] of results) this.set({ store }, up ? 1 : 0);
    },
  });
}
