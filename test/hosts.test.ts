import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, type MockServices, SERVICE_NAMES } from '../mock-services/index.js';
import { encodeGlobalId } from '../src/schema/global-id.js';
import { type BffProcess, startBffProcess } from './helpers/bff-process.js';
import { killOnExit } from './helpers/kill-on-exit.js';
import { createNetwork, impairmentSupport, type Network, refusal } from './helpers/netns.js';
import { operation } from './helpers/operations.js';
import { graphql, PAY, type PaymentAnswer, payments } from './helpers/payments.js';
import { type RedisServer, startRedisServer } from './helpers/redis-server.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * Several hosts on one machine, each in its own network namespace with its own addresses: two
 * BFF hosts, a Redis host and an upstream host (the five mock services), joined by links this
 * test takes down, delays and makes lossy. The test process is the clients' host, `root`.
 *
 *   root ── bffa ──┬── redis        every ── is a veth link of its own
 *     │ ╲── bffb ──┤
 *     │            └── up
 *     └── redis, up (the test's own view, for counting)
 */

const REFUSED = refusal();
if (REFUSED) console.warn(`test/hosts.test.ts skipped: ${REFUSED}`);

const HOSTS = ['bffa', 'bffb', 'redis', 'up'];
const LINKS: Array<[string, string]> = [
  ['root', 'bffa'],
  ['root', 'bffb'],
  ['root', 'redis'],
  ['root', 'up'],
  ['bffa', 'redis'],
  ['bffb', 'redis'],
  ['bffa', 'up'],
  ['bffb', 'up'],
];
const BFF_PORT = 4000;
const METRICS_PORT = 9464;
const REDIS_PORT = 6379;
const REQUEST_TIMEOUT_MS = 3000;

let net: Network;
let redis: RedisServer | undefined;
let upstream: ChildProcess | undefined;
const bffs: BffProcess[] = [];
/** The BFF hosts as the clients reach them. */
const base: Record<string, string> = {};

/** The mock services, as the test (host `root`) reaches them. */
const mocks = () => ({ urls: urlsFrom('root') }) as unknown as MockServices;
const { token, newDelivery, chargesFor } = payments(mocks);

function urlsFrom(host: string): Record<string, string> {
  const address = net.address(host, 'up');
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, `http://${address}:${DEFAULT_PORTS[name]}`]),
  );
}

describe.skipIf(REFUSED !== null)('hosts in network namespaces', () => {
  beforeAll(async () => {
    net = createNetwork(HOSTS, LINKS);
    redis = await startRedisServer(['--bind', '0.0.0.0', '--protected-mode', 'no'], {
      port: REDIS_PORT,
      wrap: net.exec('redis'),
      host: net.address('root', 'redis'),
    });
    upstream = await startUpstreamHost();
    await Promise.all(
      ['bffa', 'bffb'].map(async (host) => {
        const urls = urlsFrom(host);
        const bff = startBffProcess(
          {
            HOST: '0.0.0.0',
            PORT: String(BFF_PORT),
            METRICS_HOST: '0.0.0.0',
            METRICS_PORT: String(METRICS_PORT),
            UPSTREAM_ACCOUNTS_URL: urls.accounts as string,
            UPSTREAM_DELIVERIES_URL: urls.deliveries as string,
            UPSTREAM_PACKAGES_URL: urls.packages as string,
            UPSTREAM_DRONES_URL: urls.drones as string,
            UPSTREAM_PAYMENTS_URL: urls.payments as string,
            IDEMPOTENCY_STORE: `redis://${net.address(host, 'redis')}:${REDIS_PORT}`,
            REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
            IDEMPOTENCY_LEASE_MS: String(REQUEST_TIMEOUT_MS + 500),
          },
          { wrap: net.exec(host) },
        );
        bffs.push(bff);
        await bff.url;
        base[host] = `http://${net.address('root', host)}:${BFF_PORT}`;
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(bffs.map((bff) => bff.stop('SIGKILL')));
    upstream?.kill('SIGKILL');
    await redis?.kill();
    net?.destroy();
  });

  it('Redis cut off from one BFF host mid-mutation: that host fails closed, the other serves, one charge after the heal', async () => {
    const [a, b] = [base.bffa as string, base.bffb as string];
    const auth = await token('acc_0005');
    const input = await paymentInput(b, auth);
    // The charge takes 800 ms, so the mutation is between its record and its charge step.
    await chaos('payments', { latencyMs: 800, routes: ['POST /v1/charges'] });
    const charged = await chargeCalls();
    const cut = graphql(a, auth, PAY, { input });
    await waitFor(async () => (await chargeCalls()) > charged);
    net.linkDown('bffa', 'redis');

    const answer = await cut;
    expect(answer.status).toBeLessThan(500);
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(answer.errors?.[0]?.extensions?.upstream).toBe('idempotency-store');
    await chaos('payments', {});

    // While the link is down, host a runs nothing; host b keeps serving.
    const refusedInput = await paymentInput(b, auth);
    expect(codes(await graphql(a, auth, PAY, { input: refusedInput }))).toEqual([
      'UPSTREAM_UNAVAILABLE',
    ]);
    expect(await chargesFor(refusedInput.deliveryId)).toHaveLength(0);
    const served = await graphql(b, auth, PAY, { input: await paymentInput(b, auth) });
    expect(served.errors).toBeUndefined();

    // Healed: the client's retries, on either host, name the one charge made.
    net.linkUp('bffa', 'redis');
    for (const host of [b, a]) {
      const retried = await retryUntilDone(host, auth, input);
      expect(retried.errors).toBeUndefined();
    }
    expect(await chargesFor(input.deliveryId)).toHaveLength(1);
  });

  it('a lossy link to the upstream host: coded field errors within the retry budget, never a 5xx; the other host unaffected', async () => {
    const support = impairmentSupport();
    if (support.tool === null) throw new Error(support.reason);
    const auth = await token('acc_0001', 'DISPATCHER');
    // 25 % of packets dropped each way (and 20 ms more each way where netem exists).
    net.impair('bffa', 'up', { delayMs: 20, lossPercent: 25 });
    const QUERIES = 12;
    const lossy: Array<{ status: number; codes: string[] }> = [];
    const clean: Array<{ status: number; codes: string[] }> = [];
    try {
      for (let i = 0; i < QUERIES; i++) {
        const id = `del_${String(i + 1).padStart(6, '0')}`;
        lossy.push(await detail(base.bffa as string, auth, id));
        clean.push(await detail(base.bffb as string, auth, id));
      }
    } finally {
      net.heal('bffa', 'up');
    }
    expect(lossy.every((answer) => answer.status === 200)).toBe(true);
    const allowed = new Set(['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN']);
    expect(lossy.flatMap((answer) => answer.codes).filter((code) => !allowed.has(code))).toEqual(
      [],
    );
    expect(clean.every((answer) => answer.status === 200 && answer.codes.length === 0)).toBe(true);
    // Retries stay inside the documented budget: 20 % of calls plus 3 a second over 10 s.
    const { attempts, retries } = await upstreamCounts(
      `http://${net.address('root', 'bffa')}:${METRICS_PORT}`,
    );
    expect(retries).toBeLessThanOrEqual(0.2 * (attempts - retries) + 30);
    console.info(
      `lossy link (${support.tool}): ${lossy.filter((a) => a.codes.length > 0).length} of ${QUERIES} answers with coded field errors (${[...new Set(lossy.flatMap((a) => a.codes))].join(', ')}), ${retries} retries in ${attempts} upstream attempts`,
    );
  });

  it('a BFF host cut off mid-request answers its client within the budget (or resets), never hangs', async () => {
    const auth = await token('acc_0001', 'DISPATCHER');
    await chaos('deliveries', { latencyMs: 500 });
    const before = await routeCalls('deliveries');
    const pending = fetch(`${base.bffa}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
      body: JSON.stringify({
        query: operation('DeliveryDetail'),
        variables: { id: encodeGlobalId('Delivery', 'del_000001') },
      }),
      // The client's own bound: past the BFF's budget and a margin, this aborts (a hang).
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + 2000),
    }).then(
      async (response) => ({ status: response.status, body: await response.text() }),
      (error: Error) => ({ status: 0, body: error.name }),
    );
    try {
      await waitFor(async () => (await routeCalls('deliveries')) > before);
      net.linkDown('bffa', 'up');
      net.linkDown('bffa', 'redis');
      const outcome = await pending;
      expect(outcome.body).not.toBe('TimeoutError');
      if (outcome.status !== 0) {
        expect(outcome.status).toBe(200);
        expect(outcome.body).toMatch(/UPSTREAM_(TIMEOUT|UNAVAILABLE)/);
      }
    } finally {
      net.linkUp('bffa', 'up');
      net.linkUp('bffa', 'redis');
      await chaos('deliveries', {});
    }
  });
});

/** The five mock services on the upstream host, on their default ports. */
async function startUpstreamHost(): Promise<ChildProcess> {
  const [command, ...args] = [
    ...net.exec('up'),
    process.execPath,
    '--import',
    'tsx',
    'mock-services/main.ts',
  ];
  const child = spawn(command as string, args, {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, MOCK_HOST: '0.0.0.0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^payments\s/m.test(output)) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`mock services exited ${code}: ${output}`)));
  });
  return child;
}

async function paymentInput(bff: string, auth: string) {
  return {
    idempotencyKey: randomUUID(),
    deliveryId: await newDelivery(bff, auth),
    amountCents: 2500,
    currency: 'EUR',
  };
}

/** Retries the payment while its twin's lease runs (IDEMPOTENCY_KEY_IN_USE). */
async function retryUntilDone(
  bff: string,
  auth: string,
  input: Record<string, unknown>,
): Promise<PaymentAnswer> {
  let answer = await graphql(bff, auth, PAY, { input });
  await waitFor(async () => {
    if (!codes(answer).includes('IDEMPOTENCY_KEY_IN_USE')) return true;
    answer = await graphql(bff, auth, PAY, { input });
    return false;
  });
  return answer;
}

function codes(answer: PaymentAnswer): string[] {
  return answer.errors?.map((error) => error.extensions?.code ?? '') ?? [];
}

async function detail(bff: string, auth: string, id: string) {
  const response = await fetch(`${bff}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: JSON.stringify({
      query: operation('DeliveryDetail'),
      variables: { id: encodeGlobalId('Delivery', id) },
    }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return {
    status: response.status,
    codes: body.errors?.map((error) => error.extensions?.code ?? '') ?? [],
  };
}

async function chaos(service: string, settings: Record<string, unknown>): Promise<void> {
  const answer = await fetch(`${urlsFrom('root')[service]}/__chaos`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (!answer.ok) throw new Error(`chaos refused: ${await answer.text()}`);
}

async function routeCalls(service: string, route?: string): Promise<number> {
  const stats = (await (await fetch(`${urlsFrom('root')[service]}/__stats`)).json()) as {
    total: number;
    routes: Record<string, number>;
  };
  return route === undefined ? stats.total : (stats.routes[route] ?? 0);
}

const chargeCalls = () => routeCalls('payments', 'POST /v1/charges');

/** Upstream attempts and retries, from a BFF's metrics listener. */
async function upstreamCounts(metrics: string): Promise<{ attempts: number; retries: number }> {
  const text = await (await fetch(`${metrics}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
  return {
    attempts: sum('skyway_upstream_calls_total'),
    retries: sum('skyway_upstream_retries_total'),
  };
}
