import type { CORSOptions, Plugin } from 'graphql-yoga';

/**
 * Which browser apps may call the API from another origin (`CORS_ORIGINS`). None by default:
 * Yoga's own default reflects any `Origin` with `Access-Control-Allow-Credentials: true`,
 * harmless while auth is bearer-only, a cross-site hole the day a cookie appears.
 *
 * A listed origin gets itself back in `Access-Control-Allow-Origin`, `*` lets any origin in,
 * and an unlisted one gets no CORS header at all, so the browser keeps the answer from it.
 * Credentials are never allowed: the BFF authenticates by the `Authorization` header, which a
 * browser app sends without them, so no ambient cookie can ride along on a cross-origin
 * request, whatever the list says. The headers are Yoga's (whatwg-node's CORS plugin); this
 * file only decides, per request, what it is given.
 */
export function corsFor(origins: readonly string[]): false | ((request: Request) => CORSOptions) {
  if (origins.length === 0) return false;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || (!anyOrigin && !allowed.has(origin))) return false;
    return {
      // A list of one is sent as it is: the request's own origin, once it may call.
      origin: [origin],
      methods: ['GET', 'POST'],
      credentials: false,
      maxAge: 600, // 10min of preflights saved per client
    };
  };
}

/**
 * `Vary: Origin` on every answer while only some origins are allowed: whether an answer
 * carries `Access-Control-Allow-Origin` depends on the request's `Origin`, so a shared cache
 * (a CDN in front of persisted GETs) must not hand one origin's answer to another.
 */
export function useVaryOrigin(origins: readonly string[]): Plugin {
  if (origins.length === 0 || origins.includes('*')) return {};
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (vary === null) response.headers.set('vary', 'Origin');
      else if (!/(^|,)\s*origin\s*(,|$)/i.test(vary))
        response.headers.set('vary', `${vary}, Origin`);
    },
  };
}
