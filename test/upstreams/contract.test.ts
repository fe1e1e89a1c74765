import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange, ServiceName } from '../../mock-services/index.js';
import { UPSTREAM_USE } from '../../src/upstreams/usage.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';
import { OpenApiChecker } from '../mock-services/helpers.js';

/**
 * The BFF and the services' documents, on real traffic: the apps' six operations run through
 * the BFF while the mocks report every request they answer. Every request the BFF sent must be
 * one its service's document accepts, every answer one the document describes, and the routes
 * the BFF called must be those `src/upstreams/usage.ts` declares: what upstreams:generate and
 * upstreams:check rely on is what the code does.
 */

const exchanges: [ServiceName, Exchange][] = [];
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(
    {},
    {},
    { observe: (service, exchange) => exchanges.push([service, exchange]) },
  );
  const ownerId = await accountWithDeliveries(harness, 3);
  const customer = await harness.token(ownerId);
  const dispatcher = await harness.token('acc_0001', 'DISPATCHER');
  const run = async (name: string, token: string, variables?: Record<string, unknown>) => {
    const { body } = await harness.graphql(operation(name), { token, variables });
    expect(body.errors, name).toBeUndefined();
    return body.data as Record<string, { delivery: { id: string } }>;
  };
  await run('MyDeliveries', customer);
  await run('DispatchBoard', dispatcher);
  const place = { lat: 52.52, lng: 13.4 };
  const schedule = () =>
    run('ScheduleDelivery', customer, {
      input: {
        idempotencyKey: randomUUID(),
        pickup: place,
        dropoff: place,
        package: { size: 'SMALL', weightKg: 1.5, tag: null },
      },
    }).then((data) => data.scheduleDelivery?.delivery.id as string);
  const deliveryId = await schedule();
  await run('DeliveryDetail', customer, { id: deliveryId });
  const money = { amountCents: 1299, currency: 'EUR' };
  await run('PayForDelivery', customer, {
    input: { idempotencyKey: randomUUID(), deliveryId, ...money },
  });
  await run('CancelDelivery', customer, { input: { idempotencyKey: randomUUID(), deliveryId } });
});
afterAll(() => harness.close());

const checkers = new Map<string, OpenApiChecker>();
function checkerFor(service: ServiceName, route: string): OpenApiChecker {
  const document =
    route.startsWith('/v1/') || route.startsWith('/.well-known/') ? service : 'controls';
  let checker = checkers.get(document);
  if (checker === undefined) {
    checker = new OpenApiChecker(document);
    checkers.set(document, checker);
  }
  return checker;
}

/**
 * The BFF's calls: those that carry the request id it forwards on every call, and the key set
 * its token verifier (jose) fetches. The rest are the test's own (tokens, seeding lookups).
 */
const bffCalls = () =>
  exchanges.filter(
    ([, exchange]) => exchange.requestId !== null || exchange.route === '/.well-known/jwks.json',
  );

describe('the BFF against the services’ documents', () => {
  it('sends only requests the documents accept, and gets only answers they describe', () => {
    expect(exchanges.length).toBeGreaterThan(10);
    for (const [service, exchange] of exchanges) {
      const route = exchange.route;
      expect(
        route,
        `${service} ${exchange.method} ${exchange.url} matched no route`,
      ).not.toBeNull();
      if (route === null) continue;
      const checker = checkerFor(service, route);
      const url = new URL(exchange.url, 'http://127.0.0.1');
      const body = exchange.body === '' ? undefined : (JSON.parse(exchange.body) as unknown);
      const answer = {
        status: exchange.status,
        headers: new Headers(exchange.headers),
        body: exchange.answer === undefined ? undefined : (JSON.parse(exchange.answer) as unknown),
      };
      expect(
        checker.requestProblem(exchange.method, route, url, body),
        `${service} ${exchange.method} ${exchange.url}`,
      ).toBeUndefined();
      checker.expectConformant(exchange.method, route, answer);
    }
  });

  it('calls only routes src/upstreams/usage.ts declares, and all of them but a known few', () => {
    const declared = Object.entries(UPSTREAM_USE).flatMap(([service, use]) =>
      use.routes.map((route) => `${service} ${route.method} ${route.path}`),
    );
    const called = new Set(
      bffCalls().map(([service, exchange]) => `${service} ${exchange.method} ${exchange.route}`),
    );
    for (const route of called)
      expect(declared, `${route} is called but not declared`).toContain(route);
    // Declared but not called here, each for its reason: a read of one record by id is offered
    // by every client (`ResourceReader.getOne`) while the loaders read by batch; development
    // tokens are minted by `npm start` (src/dev.ts), not by the BFF; the unlink is a saga's
    // compensation, run only when a capture is refused after the link (test/sagas races it).
    expect(declared.filter((route) => !called.has(route))).toEqual([
      'accounts GET /v1/accounts/{id}',
      'accounts POST /v1/tokens',
      'deliveries GET /v1/deliveries/{id}',
      'deliveries POST /v1/deliveries/{id}/payment/release',
      'packages GET /v1/packages/{id}',
      'drones GET /v1/drones/{id}',
      'payments GET /v1/charges/{id}',
    ]);
  });
});
