import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { percentile } from '../load.js';

// Yoga and graphql-jit as Skyway has them, from the project's node_modules: the bench's own
// (Hive Gateway's) would bring a second graphql that graphql-jit's schema checks refuse.
const fromProject = createRequire(new URL('../../src/', import.meta.url));
const { createSchema, createYoga } = fromProject('graphql-yoga') as typeof import('graphql-yoga');
const { useGraphQlJit } = fromProject('@envelop/graphql-jit') as {
  useGraphQlJit: () => import('graphql-yoga').Plugin;
};

/**
 * What the stack alone costs one query at a time: graphql-yoga (with graphql-jit, as Skyway
 * runs it) against a bare `node:http` handler, both answering the dispatch board's shape, a
 * page of 100 rows, from memory. No upstream, no token, no plugin of Skyway's: the difference
 * between the two is what serving the board through Yoga costs before Skyway does any work of
 * its own (whatwg-node's request and response, Envelop's hooks, parse and validate from
 * Yoga's caches, execution, the result's JSON). Issue 20 asks for Skyway's p50 within 1 ms of
 * the floor's; if this difference alone is near that, no change inside Skyway reaches it.
 *
 *   node --import tsx bench/probe/framework.ts [queries=2000] [rounds=3]
 *
 * Each server runs in its own process; the two take turns query by query, over one
 * keep-alive connection each, so drift on the machine lands on both alike.
 */

const ROWS = 100;

/** The board as the web app sends it (the contract's operation). */
const BOARD = readFileSync(
  fileURLToPath(new URL('../../contract/operations/DispatchBoard.graphql', import.meta.url)),
  'utf8',
);

const TYPE_DEFS = /* GraphQL */ `
  type Query { deliveries(first: Int, after: String, status: DeliveryStatus): DeliveryConnection }
  enum DeliveryStatus { CREATED SCHEDULED IN_TRANSIT DELIVERED CANCELLED }
  type DeliveryConnection { edges: [DeliveryEdge!]!  pageInfo: PageInfo! }
  type PageInfo { hasNextPage: Boolean!  endCursor: String }
  type DeliveryEdge { node: Delivery! }
  type Delivery {
    id: ID!
    status: DeliveryStatus!
    eta: String
    owner: Account
    package: Package
    drone: Drone
    charge: Charge
  }
  type Account { id: ID!  name: String!  email: String! }
  type Package { size: String!  weightKg: Float! }
  type Drone { id: ID!  model: String!  status: String!  batteryPct: Int!  location: Location! }
  type Location { lat: Float!  lng: Float! }
  type Charge { status: String! }
`;

/** The rows as the services would have answered them: records, joined by id. */
function rows() {
  return Array.from({ length: ROWS }, (_, i) => ({
    id: `RGVsaXZlcnk6ZGx2XzAwMDAw${i}`,
    status: 'IN_TRANSIT',
    eta: '2026-12-01T10:00:00.000Z',
    owner: { id: `QWNjb3VudDphY2NfMDAw${i}`, name: `Owner ${i}`, email: `owner${i}@example.com` },
    package: { size: 'M', weightKg: 1.5 + i / 10 },
    drone: {
      id: `RHJvbmU6ZHJuXzAw${i}`,
      model: 'SkyHopper 3',
      status: 'FLYING',
      batteryPct: 80,
      location: { lat: 52.5 + i / 1000, lng: 13.4 + i / 1000 },
    },
    charge: { status: 'CAPTURED' },
  }));
}

/** The page as both servers answer it; built anew per request, as a BFF builds it. */
function page() {
  const data = rows();
  return {
    edges: data.map((node) => ({ node })),
    pageInfo: { hasNextPage: true, endCursor: 'Y3Vyc29yOjEwMA' },
  };
}

function serveYoga() {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: TYPE_DEFS,
      resolvers: { Query: { deliveries: () => page() } },
    }),
    plugins: [useGraphQlJit()],
    logging: false,
    graphiql: false,
    landingPage: false,
  });
  return createServer(yoga);
}

function serveBare() {
  const send = (res: ServerResponse, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    send(res, { data: { deliveries: page() } });
  };
  return createServer((req, res) => void handle(req, res));
}

async function serve(kind: string) {
  const server = kind === 'yoga' ? serveYoga() : serveBare();
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
}

async function start(kind: string): Promise<{ child: ChildProcess; pool: Pool }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', kind],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return { child, pool: new Pool(`http://127.0.0.1:${port}`, { connections: 1 }) };
}

const BODY = JSON.stringify({ query: BOARD, operationName: 'DispatchBoard' });

async function askFor(pool: Pool): Promise<string> {
  const answer = await pool.request({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 200 || !text.includes('"endCursor"')) throw new Error(text);
  return text;
}

/** How long one board took, in ms. */
async function ask(pool: Pool): Promise<number> {
  const sentAt = performance.now();
  await askFor(pool);
  return performance.now() - sentAt;
}

const p50 = (list: number[]) =>
  percentile(
    [...list].sort((a, b) => a - b),
    0.5,
  );

async function compare(queries: number, rounds: number) {
  const servers = { yoga: await start('yoga'), bare: await start('bare') };
  const first = JSON.parse(await askFor(servers.yoga.pool)) as {
    data: { deliveries: { edges: unknown[] } };
  };
  if (first.data.deliveries.edges.length !== ROWS) throw new Error('Yoga answered another page');
  for (let round = 1; round <= rounds; round += 1) {
    const times = { yoga: [] as number[], bare: [] as number[] };
    // Warm both (graphql-jit compiles on first use; V8 optimizes the hot paths).
    for (let i = 0; i < 300; i += 1) {
      await ask(servers.yoga.pool);
      await ask(servers.bare.pool);
    }
    for (let i = 0; i < queries; i += 1) {
      times.yoga.push(await ask(servers.yoga.pool));
      times.bare.push(await ask(servers.bare.pool));
    }
    console.log(
      `round ${round}: p50 yoga ${p50(times.yoga).toFixed(3)} ms, bare ${p50(times.bare).toFixed(3)} ms, ` +
        `difference ${(p50(times.yoga) - p50(times.bare)).toFixed(3)} ms (${queries} queries each)`,
    );
  }
  for (const { child, pool } of Object.values(servers)) {
    await pool.close();
    child.kill();
  }
}

const [mode, kind] = process.argv.slice(2);
if (mode === 'serve') await serve(kind ?? 'bare');
else await compare(Number(mode ?? 2000), Number(kind ?? 3));
