import type { Plugin } from 'graphql-yoga';

/**
 * The endpoint load balancers call on the public port, beside `/graphql` (`/healthz`, "the
 * process is alive", is Yoga's own): `GET /readyz`, ready for traffic, i.e. not shutting down.
 * It reports what the instance depends on without failing for it: each store's health and each
 * upstream's breaker state. One upstream down is a partial answer, not a reason to take the
 * instance out of the load balancer; and every instance shares its stores (one Redis URL for
 * all of them), so a store down would take every instance out at once and leave the service
 * with no endpoints, reads included, while mutations fail closed on their own with a coded
 * error. `/metrics` is not here: it has a listener of its own (`metrics-server.ts`).
 */

/**
 * How long `/readyz` waits for a check before reporting it down: a Redis that is connected but
 * silent (a partition with no reset) answers a ping only at its 1 s command deadline, and an
 * answer that late is a failed probe (the kubelet's default timeout is 1 s). The rate limiter
 * gives Redis as long.
 */
export const CHECK_DEADLINE_MS = 250;

export interface Readiness {
  /** Whether the instance takes traffic (false once it is draining). */
  accepting(): boolean;
  /**
   * Dependencies reported by name under `checks` (e.g. the idempotency store), true when they
   * answer within `CHECK_DEADLINE_MS`; reported, never failing.
   */
  checks: Record<string, () => Promise<boolean>>;
  /** Reported, never failing: e.g. breaker state per upstream. */
  report(): Record<string, unknown>;
}

export function useOperationalEndpoints({ readiness }: { readiness: Readiness }): Plugin {
  return {
    onResponse({ response }) {
      // While draining, every answer closes its connection, so keep-alive clients reconnect
      // to another instance instead of holding this one open.
      if (!readiness.accepting()) response.headers.set('connection', 'close');
    },
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET') return;
      if (url.pathname === '/readyz') {
        const results = await Promise.all(
          Object.entries(readiness.checks).map(
            async ([name, check]) => [name, await withinDeadline(check)] as const,
          ),
        );
        const ready = readiness.accepting();
        endResponse(
          fetchAPI.Response.json(
            {
              status: ready ? 'ready' : 'not ready',
              accepting: ready,
              checks: Object.fromEntries(results),
              ...readiness.report(),
            },
            { status: ready ? 200 : 503 },
          ),
        );
      }
    },
  };
}

/** The check's answer, or false when it fails or has not answered by the deadline. */
async function withinDeadline(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, CHECK_DEADLINE_MS, false);
  });
  try {
    return await Promise.race([check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
