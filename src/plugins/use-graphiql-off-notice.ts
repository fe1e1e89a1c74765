import type { Plugin } from 'graphql-yoga';

/**
 * Where GraphiQL would open, when it is off (production): a person who opens `/graphql` in a
 * browser gets a short page saying so and how to have it locally, instead of a bare 406 or a
 * CSRF refusal that reads like a fault. Only a browser's visit to the bare endpoint is
 * answered here (a GET asking for HTML with no operation in it); every request that carries
 * an operation goes on to the guards as before.
 */

const OPERATION_PARAMS = ['query', 'documentId', 'extensions'];

export const GRAPHIQL_OFF_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Skyway: GraphiQL is off</title></head>
<body>
<h1>GraphiQL is off in production</h1>
<p>This is Skyway's GraphQL endpoint. Send operations with <code>POST /graphql</code>
(<code>content-type: application/json</code>).</p>
<p>For GraphiQL, run Skyway for development: <code>npm start</code> (the BFF and mock services,
with tokens), or <code>NODE_ENV=development npm run serve</code>, and open
<code>/graphql</code> there.</p>
</body>
</html>
`;

export function useGraphiqlOffNotice({
  endpoint = '/graphql',
}: {
  endpoint?: string;
} = {}): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || url.pathname !== endpoint) return;
      if (!request.headers.get('accept')?.includes('text/html')) return;
      if (OPERATION_PARAMS.some((name) => url.searchParams.has(name))) return;
      // 406: this endpoint has no HTML to give in production; browsers show the body anyway.
      endResponse(
        new fetchAPI.Response(GRAPHIQL_OFF_PAGE, {
          status: 406,
          headers: { 'content-type': 'text/html; charset=utf-8' },
        }),
      );
    },
  };
}
