import type { Plugin } from 'graphql-yoga';

/**
 * The endpoint load balancers call on the public port, beside `/graphql` (`/healthz`, "the
 * process is alive", is Yoga's own): `GET /readyz`, ready for traffic, i.e. not shutting down
 * and the stores answer. It lists each upstream's breaker state but does not fail for an open
 * breaker: one upstream down is a partial answer, not a reason to take the instance out of the
 * load balancer. `/metrics` is not here: it has a listener of its own (`metrics-server.ts`).
 */

export interface Readiness {
  /** Whether the instance takes traffic (false once it is draining). */
  accepting(): boolean;
  /** Checks that must pass, by name (e.g. the idempotency store). */
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
            async ([name, check]) => [name, await check().catch(() => false)] as const,
          ),
        );
        const checks = Object.fromEntries(results);
        const ready = readiness.accepting() && results.every(([, ok]) => ok);
        endResponse(
          fetchAPI.Response.json(
            {
              status: ready ? 'ready' : 'not ready',
              accepting: readiness.accepting(),
              checks,
              ...readiness.report(),
            },
            { status: ready ? 200 : 503 },
          ),
        );
      }
    },
  };
}
