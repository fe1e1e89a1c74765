// Every answer the services give validates against the response schema that the service's
// OpenAPI document names for that route and status; an undocumented status fails. Every request
// sent is checked against the same document, and the service must agree with it: a request the
// document accepts is never a 400, one it refuses never a 2xx. The test controls are checked
// against their own document. The last test checks that every documented answer (but 500, a
// bug) was exercised here.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MockServices,
  type ServiceName,
  startMockServices,
} from '../../mock-services/index.js';
import { byService, SERVICE_NAMES } from '../../mock-services/names.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  as,
  type JsonAnswer,
  type JsonRequest,
  OpenApiChecker,
  request,
  setChaos,
  stats,
} from './helpers.js';

let mocks: MockServices;
const checkers = byService((name) => new OpenApiChecker(name));
const controls = new OpenApiChecker('controls');
const seen = new Set<string>();

beforeAll(async () => {
  mocks = await startMockServices({ seed: { accounts: 200 } });
});
afterAll(() => mocks.close());

/** Sends a request to `template` made concrete as `path`, and checks the answer. */
async function call(
  service: ServiceName,
  method: string,
  template: string,
  path: string,
  init: JsonRequest = {},
): Promise<JsonAnswer> {
  const url = new URL(`${mocks.urls[service]}${path}`);
  const answer = await request(url.href, { method, ...init });
  const checker =
    template.startsWith('/v1/') || template.startsWith('/.well-known/')
      ? checkers[service]
      : controls;
  checker.expectRequestAgreement(method, template, url, init.body, answer);
  checker.expectConformant(method, template, answer);
  seen.add(`${checker === controls ? 'controls' : service} ${method} ${template} ${answer.status}`);
  return answer;
}

interface Operation {
  service: ServiceName;
  method: string;
  template: string;
}

/** The /v1 operations of every document. */
function v1Operations(): Operation[] {
  return SERVICE_NAMES.flatMap((service) =>
    Object.entries(checkers[service].document.paths as Record<string, Record<string, unknown>>)
      .filter(([template]) => template.startsWith('/v1/'))
      .flatMap(([template, item]) =>
        Object.keys(item).map((method) => ({ service, method: method.toUpperCase(), template })),
      ),
  );
}

/** A concrete path for a template: `{id}` becomes an id that exists. */
function concrete(template: string): string {
  const sample = mocks.data.deliveryIdsByStatus.DELIVERED[0] ?? '';
  return template.replace('{id}', sample);
}

const routeKey = (op: Operation) => `${op.method} ${op.template}`;

describe('the checker', () => {
  const json = new Headers({ 'content-type': 'application/json' });

  it('rejects a body that breaks the schema', () => {
    const partial = { status: 200, headers: json, body: { id: 'drn_001' } };
    expect(() => checkers.drones.expectConformant('GET', '/v1/drones/{id}', partial)).toThrow();
  });

  it('refuses a request outside the document: unknown parameter, bad value, bad body', () => {
    const url = (path: string) => new URL(`http://127.0.0.1${path}`);
    const drones = checkers.drones;
    expect(drones.requestProblem('GET', '/v1/drones', url('/v1/drones?ids=a,b'), undefined)).toBe(
      undefined,
    );
    expect(
      drones.requestProblem('GET', '/v1/drones', url('/v1/drones?limit=5'), undefined),
    ).toMatch(/limit is not documented/);
    const deliveries = checkers.deliveries;
    expect(
      deliveries.requestProblem(
        'GET',
        '/v1/deliveries',
        url('/v1/deliveries?limit=500'),
        undefined,
      ),
    ).toMatch(/limit/);
    expect(
      deliveries.requestProblem('POST', '/v1/deliveries', url('/v1/deliveries'), { ownerId: 1 }),
    ).toMatch(/body/);
  });

  it('rejects an undocumented status', () => {
    const teapot = {
      status: 418,
      headers: json,
      body: { error: { code: 'NOT_FOUND', message: '' } },
    };
    expect(() => checkers.drones.expectConformant('GET', '/v1/drones/{id}', teapot)).toThrow(
      /not documented/,
    );
  });
});

describe('accounts', () => {
  it('answers one account, or 404', async () => {
    expect(
      (await call('accounts', 'GET', '/v1/accounts/{id}', '/v1/accounts/acc_0001')).status,
    ).toBe(200);
    expect(
      (await call('accounts', 'GET', '/v1/accounts/{id}', '/v1/accounts/acc_9999')).status,
    ).toBe(404);
  });

  it('answers batches and list pages', async () => {
    const batch = await call(
      'accounts',
      'GET',
      '/v1/accounts',
      '/v1/accounts?ids=acc_0002,acc_0001',
    );
    expect(batch.status).toBe(200);
    const page = await call(
      'accounts',
      'GET',
      '/v1/accounts',
      '/v1/accounts?limit=3&cursor=acc_0010',
    );
    expect(page.status).toBe(200);
    expect(as<{ nextCursor: string }>(page.body).nextCursor).toBe('acc_0013');
  });

  it('mints tokens for known accounts only', async () => {
    const body = { accountId: 'acc_0001', role: 'CUSTOMER' };
    expect((await call('accounts', 'POST', '/v1/tokens', '/v1/tokens', { body })).status).toBe(201);
    const unknown = { accountId: 'acc_9999', role: 'CUSTOMER' };
    expect(
      (await call('accounts', 'POST', '/v1/tokens', '/v1/tokens', { body: unknown })).status,
    ).toBe(404);
  });

  it('publishes its keys', async () => {
    const jwks = '/.well-known/jwks.json';
    expect((await call('accounts', 'GET', jwks, jwks)).status).toBe(200);
  });
});

describe('deliveries', () => {
  const one = '/v1/deliveries/{id}';
  const many = '/v1/deliveries';

  it('answers one delivery, batches and filtered pages', async () => {
    const id = mocks.data.deliveryIds[0] ?? '';
    expect((await call('deliveries', 'GET', one, `/v1/deliveries/${id}`)).status).toBe(200);
    expect((await call('deliveries', 'GET', one, '/v1/deliveries/del_999999')).status).toBe(404);
    expect((await call('deliveries', 'GET', many, `/v1/deliveries?ids=${id},nope`)).status).toBe(
      200,
    );
    const page = await call(
      'deliveries',
      'GET',
      many,
      '/v1/deliveries?ownerId=acc_0001&status=DELIVERED&limit=2',
    );
    expect(page.status).toBe(200);
    expect((await call('deliveries', 'GET', many, '/v1/deliveries?status=LOST')).status).toBe(400);
  });

  it('schedules, cancels and marks paid', async () => {
    const pickup = { lat: 52.5, lng: 13.4 };
    const input = { ownerId: 'acc_0001', packageId: 'pkg_000001', pickup, dropoff: pickup };
    const created = await call('deliveries', 'POST', many, many, { body: input });
    expect(created.status).toBe(201);
    const unknownOwner = { ...input, ownerId: 'acc_9999' };
    expect((await call('deliveries', 'POST', many, many, { body: unknownOwner })).status).toBe(404);

    const { id } = as<{ id: string }>(created.body);
    const charge = await call('payments', 'POST', '/v1/charges', '/v1/charges', {
      body: { deliveryId: id, amountCents: 1200, currency: 'EUR' },
    });
    expect(charge.status).toBe(201);
    const chargeId = as<{ id: string }>(charge.body).id;
    const payment = '/v1/deliveries/{id}/payment';
    expect(
      (
        await call('deliveries', 'POST', payment, `/v1/deliveries/${id}/payment`, {
          body: { chargeId },
        })
      ).status,
    ).toBe(200);
    const other = { chargeId: 'chg_000001' };
    expect(
      (await call('deliveries', 'POST', payment, `/v1/deliveries/${id}/payment`, { body: other }))
        .status,
    ).toBe(409);
    expect(
      (
        await call('deliveries', 'POST', payment, '/v1/deliveries/del_999999/payment', {
          body: other,
        })
      ).status,
    ).toBe(404);

    const release = '/v1/deliveries/{id}/payment/release';
    const released = await call(
      'deliveries',
      'POST',
      release,
      `/v1/deliveries/${id}/payment/release`,
      {
        body: { chargeId },
      },
    );
    expect(as<{ chargeId: string | null }>(released.body).chargeId).toBeNull();
    expect(
      (
        await call('deliveries', 'POST', release, '/v1/deliveries/del_999999/payment/release', {
          body: { chargeId },
        })
      ).status,
    ).toBe(404);

    const cancel = '/v1/deliveries/{id}/cancel';
    expect((await call('deliveries', 'POST', cancel, `/v1/deliveries/${id}/cancel`)).status).toBe(
      200,
    );
    expect(
      (await call('deliveries', 'POST', cancel, `/v1/deliveries/${id}/cancel`, { body: {} }))
        .status,
    ).toBe(409);
    expect(
      (await call('deliveries', 'POST', cancel, '/v1/deliveries/del_999999/cancel')).status,
    ).toBe(404);
  });
});

describe('packages, drones and payments', () => {
  it('answer one record, or 404, and batches', async () => {
    const cases: [ServiceName, string, string][] = [
      ['packages', '/v1/packages', 'pkg_000001'],
      ['drones', '/v1/drones', 'drn_001'],
      ['payments', '/v1/charges', 'chg_000001'],
    ];
    for (const [service, path, id] of cases) {
      expect((await call(service, 'GET', `${path}/{id}`, `${path}/${id}`)).status).toBe(200);
      expect((await call(service, 'GET', `${path}/{id}`, `${path}/x_1`)).status).toBe(404);
      expect((await call(service, 'GET', path, `${path}?ids=${id}`)).status).toBe(200);
    }
    expect(
      (await call('payments', 'GET', '/v1/charges', '/v1/charges?deliveryId=del_000002')).status,
    ).toBe(200);
  });

  it.each([
    ['packages', '/v1/packages', 'pkg_000001', 'PackageCacheControl'],
    ['drones', '/v1/drones', 'drn_001', 'DroneCacheControl'],
  ] as const)(
    '%s send the Cache-Control their document promises on reads by id',
    async (service, path, id, header) => {
      const headers = (
        checkers[service].document.components as { headers: Record<string, unknown> }
      ).headers;
      const promised = (headers[header] as { schema: { const: string } }).schema.const;
      const one = await call(service, 'GET', `${path}/{id}`, `${path}/${id}`);
      const many = await call(service, 'GET', path, `${path}?ids=${id}`);
      expect(one.headers.get('cache-control')).toBe(promised);
      expect(many.headers.get('cache-control')).toBe(promised);
    },
  );

  it.each([
    ['accounts', '/v1/accounts', 'acc_0001'],
    ['deliveries', '/v1/deliveries', 'del_000001'],
    ['payments', '/v1/charges', 'chg_000001'],
  ] as const)('%s, whose records are private, send no Cache-Control', async (service, path, id) => {
    const one = await call(service, 'GET', `${path}/{id}`, `${path}/${id}`);
    expect(one.status).toBe(200);
    expect(one.headers.get('cache-control')).toBeNull();
  });

  it('create packages and charges', async () => {
    const pkg = { size: 'LARGE', weightKg: 12.5, tag: 'fragile' };
    expect(
      (await call('packages', 'POST', '/v1/packages', '/v1/packages', { body: pkg })).status,
    ).toBe(201);
    const paid = mocks.data.deliveryIdsByStatus.DELIVERED[0] ?? '';
    const twice = { deliveryId: paid, amountCents: 100, currency: 'EUR' };
    expect(
      (await call('payments', 'POST', '/v1/charges', '/v1/charges', { body: twice })).status,
    ).toBe(409);
    const nowhere = { ...twice, deliveryId: 'del_999999' };
    expect(
      (await call('payments', 'POST', '/v1/charges', '/v1/charges', { body: nowhere })).status,
    ).toBe(404);
  });

  it('authorize, capture and refund charges', async () => {
    const unpaid = mocks.data.deliveryIdsByStatus.CREATED[0] ?? '';
    const authorization = { deliveryId: unpaid, amountCents: 900, currency: 'EUR', capture: false };
    const created = await call('payments', 'POST', '/v1/charges', '/v1/charges', {
      body: authorization,
    });
    expect(as<{ status: string }>(created.body).status).toBe('PENDING');
    const id = as<{ id: string }>(created.body).id;
    const capture = '/v1/charges/{id}/capture';
    const refund = '/v1/charges/{id}/refund';
    expect((await call('payments', 'POST', capture, `/v1/charges/${id}/capture`)).status).toBe(200);
    const refunded = await call('payments', 'POST', refund, `/v1/charges/${id}/refund`, {
      body: {},
    });
    expect(as<{ status: string; amountRefundedCents: number }>(refunded.body)).toMatchObject({
      status: 'REFUNDED',
      amountRefundedCents: 900,
    });
    expect((await call('payments', 'POST', capture, `/v1/charges/${id}/capture`)).status).toBe(409);
    expect((await call('payments', 'POST', capture, '/v1/charges/chg_999999/capture')).status).toBe(
      404,
    );
    expect((await call('payments', 'POST', refund, '/v1/charges/chg_999999/refund')).status).toBe(
      404,
    );
  });
});

describe('every /v1 operation', () => {
  it('answers 400 to a query parameter it does not know', async () => {
    for (const op of v1Operations().filter((o) => o.method === 'GET')) {
      const answer = await call(
        op.service,
        op.method,
        op.template,
        `${concrete(op.template)}?bogus=1`,
      );
      expect(answer.status, routeKey(op)).toBe(400);
    }
  });

  it('answers 400 to a write body that is not JSON', async () => {
    for (const op of v1Operations().filter((o) => o.method === 'POST')) {
      const answer = await call(op.service, op.method, op.template, concrete(op.template), {
        body: '{oops',
      });
      expect(answer.status, routeKey(op)).toBe(400);
    }
  });

  it('answers 413 to a body over 1 MB', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
    for (const op of v1Operations().filter((o) => o.method === 'POST')) {
      const answer = await call(op.service, op.method, op.template, concrete(op.template), {
        body,
      });
      expect(answer.status, routeKey(op)).toBe(413);
    }
  });

  it('answers 422 when an Idempotency-Key comes back with another body', async () => {
    for (const op of v1Operations().filter((o) => o.method === 'POST')) {
      const key = `reuse ${routeKey(op)}`;
      const path = concrete(op.template);
      await call(op.service, op.method, op.template, path, {
        body: {},
        headers: { 'idempotency-key': key },
      });
      const answer = await call(op.service, op.method, op.template, path, {
        body: { other: true },
        headers: { 'idempotency-key': key },
      });
      expect(answer.status, routeKey(op)).toBe(422);
    }
  });

  it('answers 409 while a request with the same Idempotency-Key is in flight', async () => {
    for (const op of v1Operations().filter((o) => o.method === 'POST')) {
      await setChaos(mocks, op.service, { latencyMs: 300, routes: [routeKey(op)] });
      const init = { body: {}, headers: { 'idempotency-key': `busy ${routeKey(op)}` } };
      const path = concrete(op.template);
      const arrived = async () => (await stats(mocks, op.service)).routes[routeKey(op)] ?? 0;
      const before = await arrived();
      const first = call(op.service, op.method, op.template, path, init);
      // The service counts a request, and reserves its key, as it arrives: then it is in flight.
      await waitFor(async () => (await arrived()) > before, { everyMs: 10 });
      const second = await call(op.service, op.method, op.template, path, init);
      expect(second.status, routeKey(op)).toBe(409);
      await first;
      await setChaos(mocks, op.service, {});
    }
  });

  it('answers the injected fault status chaos asks for', async () => {
    for (const op of v1Operations()) {
      await setChaos(mocks, op.service, { errorRate: 1, retryAfterS: 2, routes: [routeKey(op)] });
      const answer = await call(op.service, op.method, op.template, concrete(op.template), {
        body: op.method === 'POST' ? {} : undefined,
      });
      expect(answer.status, routeKey(op)).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('2');
      await setChaos(mocks, op.service, {});
    }
  });
});

describe('test controls', () => {
  it('answer as documented on every service', async () => {
    for (const service of SERVICE_NAMES) {
      expect((await call(service, 'GET', '/__stats', '/__stats')).status).toBe(200);
      expect((await call(service, 'GET', '/__chaos', '/__chaos')).status).toBe(200);
      expect(
        (await call(service, 'PUT', '/__chaos', '/__chaos', { body: { latencyMs: 5 } })).status,
      ).toBe(200);
      expect(
        (await call(service, 'PUT', '/__chaos', '/__chaos', { body: { latencyMs: -1 } })).status,
      ).toBe(400);
      const huge = JSON.stringify({ routes: ['x'.repeat(1024 * 1024)] });
      expect((await call(service, 'PUT', '/__chaos', '/__chaos', { body: huge })).status).toBe(413);
      expect((await call(service, 'GET', '/openapi.json', '/openapi.json')).status).toBe(200);
      expect((await call(service, 'POST', '/__reset', '/__reset')).status).toBe(204);
    }
  });
});

it('exercised every documented answer but 500', () => {
  const documents = [
    ...SERVICE_NAMES.map((service) => [service, checkers[service].document] as const),
    ['controls', controls.document] as const,
  ];
  const documented = documents.flatMap(([service, document]) =>
    Object.entries(document.paths as Record<string, Record<string, { responses: object }>>).flatMap(
      ([template, item]) =>
        Object.entries(item).flatMap(([method, operation]) =>
          Object.keys(operation.responses)
            .filter((status) => status !== '500')
            .map((status) => `${service} ${method.toUpperCase()} ${template} ${status}`),
        ),
    ),
  );
  expect(documented.filter((answer) => !seen.has(answer))).toEqual([]);
});
