// A tiny router: route templates like `/v1/deliveries/{id}/cancel`, matched segment by segment.
// A service has a handful of routes, so a linear scan beats anything cleverer.

import type { IncomingHttpHeaders } from 'node:http';

export type Method = 'GET' | 'POST' | 'PUT';

/** What a handler sees of a request. */
export interface RouteRequest {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when the body is empty. */
  body: unknown;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status: number;
  /** Sent as JSON; no body when undefined. */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

export type Handler = (request: RouteRequest) => Reply | Promise<Reply>;

export interface Route {
  method: Method;
  /** Template, e.g. `/v1/drones/{id}`. */
  path: string;
  handler: Handler;
  /** Answers `?ids=` batches, which the stats record id by id. */
  batch?: boolean;
}

/** The key stats, chaos and the OpenAPI documents use for a route: `GET /v1/drones/{id}`. */
export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: Method[] }
  | { kind: 'not-found' };

interface CompiledRoute {
  route: Route;
  /** A literal segment, or `{ param }` for a `{name}` segment. */
  segments: (string | { param: string })[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(readonly routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({
      route,
      segments: route.path.split('/').map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment)?.[1];
        return param === undefined ? segment : { param };
      }),
    }));
  }

  match(method: string, path: string): Match {
    const segments = path.split('/');
    const allow: Method[] = [];
    for (const { route, segments: template } of this.compiled) {
      const params = matchSegments(template, segments);
      if (params === null) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }
}

function matchSegments(
  template: CompiledRoute['segments'],
  segments: string[],
): Record<string, string> | null {
  if (template.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, expected] of template.entries()) {
    const actual = segments[i] ?? '';
    if (typeof expected === 'string') {
      if (expected !== actual) return null;
      continue;
    }
    const value = decodeSegment(actual);
    if (value === null || value === '') return null;
    params[expected.param] = value;
  }
  return params;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // malformed percent-encoding matches nothing: a 404, not a crash
  }
}
