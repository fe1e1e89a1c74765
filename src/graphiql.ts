import { readFileSync } from 'node:fs';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * What GraphiQL opens with: the mobile home screen's real operation, and a header editor that
 * shows where the token goes. Its assets are served from the package, not a CDN.
 */
const MY_DELIVERIES = readFileSync(
  new URL('../contract/operations/MyDeliveries.graphql', import.meta.url),
  'utf8',
);

export function graphiqlOptions(devToken?: string): GraphiQLOptions {
  return {
    title: 'Skyway',
    defaultQuery: `# Skyway: one GraphQL endpoint over the delivery services.
# Queries about "you" need a caller: set the Authorization header below
# (npm start prints a development token), then press Run.
${MY_DELIVERIES}`,
    headers: JSON.stringify(
      { Authorization: `Bearer ${devToken ?? '<token from npm start>'}` },
      null,
      2,
    ),
    shouldPersistHeaders: true,
  };
}

/**
 * Run in the page before GraphiQL starts, so a return visit reopens a runnable tab.
 *
 * Why: GraphiQL keeps its tabs in localStorage and, on load, activates the stored tab whose
 * query, variables and headers equal its "current" ones (`graphiql:query`, `…:variables`,
 * `…:headers`); when none does, it adds and opens a new tab. It does not write those keys
 * itself, and Yoga passes no initial query once a default one is set, so every return visit
 * opened a new empty tab, whose Run answered "Syntax Error: Unexpected <EOF>". This picks the
 * tab the person last had (or, if that one is empty, the last with an operation in it), drops
 * the empty tabs that bug left behind, and names the chosen tab's contents as the current
 * ones, so GraphiQL opens it with its headers (the token) as they were. With nothing
 * runnable stored, GraphiQL starts afresh with the prefilled operation and token.
 * Hand-written because neither GraphiQL nor Yoga has an option for it.
 */
export const REOPEN_LAST_TAB = `(() => {
  const keys = ['query', 'variables', 'headers'];
  const forget = () => {
    localStorage.removeItem('graphiql:tabState');
    for (const key of keys) localStorage.removeItem('graphiql:' + key);
  };
  try {
    const stored = localStorage.getItem('graphiql:tabState');
    if (stored === null) return;
    const state = JSON.parse(stored);
    const runnable = (tab) => typeof tab?.query === 'string' && tab.query.trim() !== '';
    const tabs = Array.isArray(state?.tabs) ? state.tabs.filter(runnable) : [];
    if (tabs.length === 0) return forget();
    const active = state.tabs[state.activeTabIndex];
    const chosen = runnable(active) ? active : tabs[tabs.length - 1];
    localStorage.setItem(
      'graphiql:tabState',
      JSON.stringify({ ...state, tabs, activeTabIndex: tabs.indexOf(chosen) }),
    );
    for (const key of keys) {
      if (typeof chosen[key] === 'string') localStorage.setItem('graphiql:' + key, chosen[key]);
      else localStorage.removeItem('graphiql:' + key);
    }
  } catch {
    forget();
  }
})();`;

const ROOT = '<div id="root"></div>';

/** Yoga's GraphiQL page (assets inlined, no CDN) with REOPEN_LAST_TAB run first. */
export function renderSkywayGraphiQL(options: GraphiQLOptions): string {
  const page = renderGraphiQL(options);
  // Checked on every render: a Yoga upgrade that moves the root element fails loudly here
  // (and in test/graphiql.browser.test.ts), not silently in a browser.
  if (!page.includes(ROOT)) throw new Error('GraphiQL page without its root element');
  return page.replace(ROOT, () => `<script>${REOPEN_LAST_TAB}</script>\n      ${ROOT}`);
}
