import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { operation } from './helpers/operations.js';
import { accountWithDeliveries } from './helpers/upstream-data.js';

/**
 * GraphiQL as a person uses it, in headless Chromium: open GET /graphql, find MyDeliveries
 * already in the editor, paste a token into the headers editor, press Run, read the data in
 * the result pane; come back later and find a tab that runs, token included. Leaves
 * `test-output/graphiql.png` to look at.
 */

const SCREENSHOT = new URL('../test-output/graphiql.png', import.meta.url);

let harness: Harness;
let browser: Browser;
let page: Page;
let token: string;
/** Every URL the page asked for. */
const requested: string[] = [];

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launchChromium()]);
  token = await harness.token(await accountWithDeliveries(harness, 3));
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    // The token goes in as a person puts it there: pasted.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  page = await context.newPage();
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(`${harness.server.url}/graphql`);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

/** The text of the lines a Monaco editor shows (it renders spaces as no-break spaces). */
const shown = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').replaceAll('\u00a0', ' ');

const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
const QUERY_EDITOR = '.graphiql-query-editor';

/** Replaces an editor's text the way a person does: select all, paste. */
async function paste(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('ControlOrMeta+V');
}

/** GraphiQL writes its tabs to localStorage a moment after an edit: wait until it has. */
async function stored(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (value) => (localStorage.getItem('graphiql:tabState') ?? '').includes(value),
    text,
  );
}

/** The stored tabs: what a return visit starts from. */
const storedTabs = (page: Page) =>
  page.evaluate(
    () =>
      (
        JSON.parse(localStorage.getItem('graphiql:tabState') ?? '{"tabs":[]}') as {
          tabs: Array<{ query: string | null }>;
        }
      ).tabs,
  );

/** Presses Run and returns the result pane's text once it shows data or errors. */
async function run(page: Page): Promise<string> {
  await page.locator('.graphiql-execute-button').click();
  await page
    .locator('.graphiql-response')
    .getByText(/"(data|errors)"/)
    .first()
    .waitFor();
  return shown(page, '.graphiql-response');
}

describe('GraphiQL in Chromium', () => {
  it('opens with MyDeliveries in the editor and a note on the token header', async () => {
    expect(await page.title()).toBe('Skyway');
    await page.getByText('query MyDeliveries').waitFor();
    expect(await shown(page, '.graphiql-query-editor')).toContain(
      'set the Authorization header below',
    );
    expect(await shown(page, HEADERS_EDITOR)).toContain(
      '"Authorization": "Bearer <token from npm start>"',
    );
  });

  it('loads nothing from another origin (no CDN)', () => {
    const origin = new URL(harness.server.url).origin;
    const elsewhere = requested.filter(
      (url) => !url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url),
    );
    expect(elsewhere).toEqual([]);
  });

  it('runs the query with a pasted token and shows the data in the result pane', async () => {
    await paste(
      page,
      HEADERS_EDITOR,
      JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2),
    );
    await page
      .locator(HEADERS_EDITOR)
      .getByText(`Bearer ${token.slice(0, 20)}`)
      .waitFor();

    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.graphiql-response');
    await result.getByText('"viewer"').waitFor();

    const expected = await harness.graphql<{
      viewer: { name: string; deliveries: { edges: Array<{ node: { id: string } }> } };
    }>(operation('MyDeliveries'), { token });
    const viewer = expected.body.data?.viewer;
    const text = await shown(page, '.graphiql-response');
    expect(text).toContain(`"name": "${viewer?.name}"`);
    expect(text).toContain(`"id": "${viewer?.deliveries.edges[0]?.node.id}"`);
    expect(text).not.toContain('"errors"');

    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname });
  });

  it('opens the same tab on a return visit, token in the headers, and Run answers data', async () => {
    await stored(page, token.slice(0, 20));
    await page.reload();
    await page.getByText('query MyDeliveries').waitFor();
    expect(await shown(page, HEADERS_EDITOR)).toContain(`Bearer ${token.slice(0, 20)}`);
    expect(await storedTabs(page)).toHaveLength(1);
    const text = await run(page);
    expect(text).toContain('"viewer"');
    expect(text).not.toContain('"errors"');
  });

  it('opens what the person last had after an edit', async () => {
    await paste(page, QUERY_EDITOR, 'query Mine { viewer { name } }');
    await stored(page, 'query Mine');
    await page.reload();
    await page.getByText('query Mine').waitFor();
    expect(await shown(page, HEADERS_EDITOR)).toContain(`Bearer ${token.slice(0, 20)}`);
    const text = await run(page);
    expect(text).toContain('"name"');
    expect(text).not.toContain('"errors"');
  });

  it('drops the empty tabs an earlier version left and opens a runnable one', async () => {
    await page.evaluate(() => {
      const state = JSON.parse(localStorage.getItem('graphiql:tabState') ?? '') as {
        tabs: unknown[];
        activeTabIndex: number;
      };
      const empty = { id: 'empty', hash: null, title: '<untitled>', query: null };
      const tabs = [...state.tabs, { ...empty, variables: null, headers: null }];
      tabs.push({ ...(tabs[tabs.length - 1] as object), id: 'empty-2' });
      localStorage.setItem(
        'graphiql:tabState',
        JSON.stringify({ ...state, tabs, activeTabIndex: tabs.length - 1 }),
      );
      for (const key of ['query', 'variables', 'headers'])
        localStorage.removeItem(`graphiql:${key}`);
    });
    await page.reload();
    await page.getByText('query Mine').waitFor();
    expect((await storedTabs(page)).map((tab) => tab.query)).toEqual([
      'query Mine { viewer { name } }',
    ]);
    expect(await run(page)).not.toContain('"errors"');
  });
});
