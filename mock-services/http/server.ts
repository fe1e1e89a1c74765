// One service on one port: routes /v1 requests through stats, chaos and idempotency, and serves
// the test controls (/__stats, /__reset, /__chaos) and /openapi.json beside them, untouched.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Chaos, performFault } from './chaos.js';
import { HttpError } from './errors.js';
import { fingerprint, IdempotencyStore, readIdempotencyKey, type Ticket } from './idempotency.js';
import { parseJsonBody, readBody, sendJson } from './json.js';
import { splitIds } from './query.js';
import { type Match, type Reply, type Route, Router, routeKey } from './router.js';
import { Stats } from './stats.js';

/** Another process listens on the port: the one failure a person starting the mocks can fix. */
export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';

  constructor(
    readonly service: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(`the ${service} mock service cannot listen on ${host}:${port}: the port is taken`);
  }
}

/** Longer than any client pool's idle timeout (undici: 4 s), so the server never cuts a reused socket. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Must exceed keepAliveTimeout, or Node may drop a socket between two requests. */
export const HEADERS_TIMEOUT_MS = 66_000;

export interface ServiceDefinition {
  name: string;
  /** Routes under /v1 get stats, chaos and idempotency; others (the JWKS) are served plainly. */
  routes: Route[];
  openapi: unknown;
  /** Returns the service's data to its seed. */
  resetData(): void;
  /** Told of every request answered (not those chaos hangs or cuts): tests check them. */
  observe?: (exchange: Exchange) => void;
}

/** One request and the answer it got, as the wire carried them. */
export interface Exchange {
  method: string;
  /** The matched route's template (`/v1/drones/{id}`), or null when no route matched. */
  route: string | null;
  /** Path and query string, as sent. */
  url: string;
  /** The request's `x-request-id`: the BFF sends one on every call. */
  requestId: string | null;
  /** The request's body text, '' when none. */
  body: string;
  status: number;
  headers: Readonly<Record<string, string>>;
  /** The answer's JSON text, undefined when it had no body. */
  answer: string | undefined;
}

export interface RunningService {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  /** Same as `POST /__reset`. */
  reset(): void;
  /** Stops listening and destroys every connection, hung and keep-alive ones included. */
  close(): Promise<void>;
}

export async function startServiceServer(
  service: ServiceDefinition,
  listen: { host: string; port: number },
): Promise<RunningService> {
  const apiRoutes = service.routes.filter((route) => isApiPath(route.path));
  const api = new Router(apiRoutes);
  const stats = new Stats();
  const chaos = new Chaos(new Set(apiRoutes.map(routeKey)));
  const idempotency = new IdempotencyStore();

  const reset = (): void => {
    stats.reset();
    idempotency.clear();
    chaos.clear();
    service.resetData();
  };

  const plain = new Router([
    ...service.routes.filter((route) => !isApiPath(route.path)),
    { method: 'GET', path: '/openapi.json', handler: () => ok(service.openapi) },
    { method: 'GET', path: '/__stats', handler: () => ok(stats.snapshot()) },
    {
      method: 'POST',
      path: '/__reset',
      handler: () => {
        reset();
        return { status: 204 };
      },
    },
    { method: 'GET', path: '/__chaos', handler: () => ok(chaos.settings) },
    { method: 'PUT', path: '/__chaos', handler: ({ body }) => ok(chaos.set(body)) },
  ]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const requestId = headerValue(req.headers['x-request-id']);
    if (requestId !== null) res.setHeader('x-request-id', requestId);
    const { path, query } = splitUrl(req.url ?? '/');
    if (isApiPath(path)) return handleApi(req, res, method, path, query, requestId);

    const match = plain.match(method, path);
    let bodyText = '';
    const reply = await readBodyIfAny(req)
      .then((text) => {
        bodyText = text;
        return answer(match, query, text, req);
      })
      .catch(errorReply);
    sendReply(res, reply);
    observe(req, match, bodyText, reply);
  }

  function observe(req: IncomingMessage, match: Match, body: string, reply: Reply): void {
    if (service.observe === undefined) return;
    const text = reply.body === undefined ? undefined : JSON.stringify(reply.body);
    service.observe({
      method: req.method ?? 'GET',
      route: match.kind === 'found' ? match.route.path : null,
      url: req.url ?? '/',
      requestId: headerValue(req.headers['x-request-id']),
      body,
      status: reply.status,
      headers: {
        ...reply.headers,
        ...(text === undefined ? {} : { 'content-type': 'application/json' }),
      },
      answer: text,
    });
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
    requestId: string | null,
  ): Promise<void> {
    const match = api.match(method, path);
    const route = match.kind === 'found' ? match.route : null;
    const key = route === null ? null : routeKey(route);
    const ids = route?.batch ? query.get('ids') : null;
    const entry = stats.record(
      {
        method,
        route: key,
        requestId,
        traceparent: headerValue(req.headers.traceparent),
        idempotencyKey: headerValue(req.headers['idempotency-key']),
      },
      ids === null ? undefined : splitIds(ids),
    );
    const decision = chaos.decide(key);

    // The key is reserved before any injected delay, so that a second request with the same
    // key meanwhile finds the first one in flight.
    let early: Reply | null = null;
    let ticket: Ticket | null = null;
    let bodyText = '';
    try {
      bodyText = await readBodyIfAny(req);
      const idempotencyKey = route?.method === 'POST' ? readIdempotencyKey(req.headers) : null;
      if (idempotencyKey !== null) {
        const reservation = idempotency.reserve(
          idempotencyKey,
          fingerprint(method, path, bodyText),
        );
        if (reservation.kind === 'new') ticket = reservation.ticket;
        else early = reservation.reply;
      }
    } catch (error) {
      early = errorReply(error);
    }

    if (decision !== null) {
      if (decision.delayMs > 0) await sleep(decision.delayMs, undefined, { ref: false });
      if (decision.fault !== null) {
        ticket?.release(); // chaos answers are never stored
        entry.status = performFault(res, decision.fault);
        return;
      }
    }

    const reply = early ?? (await answer(match, query, bodyText, req).catch(errorReply));
    ticket?.complete(reply);
    entry.status = reply.status;
    sendReply(res, reply);
    observe(req, match, bodyText, reply);
  }

  function errorReply(error: unknown): Reply {
    if (error instanceof HttpError) {
      return { status: error.status, body: error.body, headers: error.headers };
    }
    // A bug in the mock: say so on stderr, never in the answer.
    console.error(`[mock ${service.name}] unexpected error:`, error);
    const internal = new HttpError(500, 'INTERNAL', 'internal error in the mock service');
    return { status: internal.status, body: internal.body };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendReply(res, errorReply(error)));
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortTakenError(service.name, listen.host, listen.port)
          : error,
      );
    server.once('error', fail);
    server.listen(listen.port, listen.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;

  return {
    url: `http://${host}:${port}`,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Runs the matched route's handler; 404 and 405 when nothing matched. */
async function answer(
  match: Match,
  query: URLSearchParams,
  bodyText: string,
  req: IncomingMessage,
): Promise<Reply> {
  if (match.kind === 'not-found') {
    throw new HttpError(
      404,
      'NOT_FOUND',
      `no route for ${req.method} ${splitUrl(req.url ?? '/').path}`,
    );
  }
  if (match.kind === 'method-not-allowed') {
    const allow = match.allow.join(', ');
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `allowed methods: ${allow}`, { allow });
  }
  const body = parseJsonBody(bodyText);
  return match.route.handler({ params: match.params, query, body, headers: req.headers });
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function sendReply(res: ServerResponse, reply: Reply): void {
  sendJson(res, reply.status, reply.body, reply.headers);
}

function isApiPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

/** Splits by hand: `new URL` would read `//v1/x` as a host name. */
function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const at = url.indexOf('?');
  if (at === -1) return { path: url, query: new URLSearchParams() };
  return { path: url.slice(0, at), query: new URLSearchParams(url.slice(at + 1)) };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Only POST and PUT take a body; any other method's body is left unread, and Node discards it
 * once the answer is sent. That also spares the usual GET the stream machinery.
 */
function readBodyIfAny(req: IncomingMessage): Promise<string> {
  return req.method === 'POST' || req.method === 'PUT' ? readBody(req) : Promise.resolve('');
}
