import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '../shared/verify-token.js';
import { OPERATIONS, type Variables } from './operations.js';
import { createUpstreams } from './upstreams.js';

/**
 * The floor: what a perfect BFF would cost. `POST /graphql` with the apps' operations, known
 * by their operationName; no parsing, validation or execution of GraphQL, no schema, no
 * per-field resolvers, no checking of upstream answers. Reads PORT, HOST and the UPSTREAM_*
 * variables like Skyway; stops on SIGTERM and SIGINT.
 */

const upstreams = createUpstreams(process.env);
const accounts = process.env.UPSTREAM_ACCOUNTS_URL || 'http://127.0.0.1:4101';
const verify = createVerifier(`${accounts}/.well-known/jwks.json`);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/graphql') {
    send(res, 404, { errors: [{ message: 'not found' }] });
    return;
  }
  const body = (await readJson(req)) as { operationName?: string; variables?: Variables };
  const operation = OPERATIONS[body.operationName ?? ''];
  if (operation === undefined) {
    send(res, 400, { errors: [{ message: `the floor does not serve ${body.operationName}` }] });
    return;
  }
  const caller = await verify(req.headers.authorization);
  send(res, 200, { data: await operation(upstreams, caller, body.variables ?? {}) });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    send(res, 502, {
      errors: [{ message: error instanceof Error ? error.message : String(error) }],
    });
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const host = process.env.HOST || '127.0.0.1';
server.listen(Number(process.env.PORT ?? 4000), host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`floor listening on http://${host}:${port}/graphql`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  void Promise.all(Object.values(upstreams).map((u) => u.close())).finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
