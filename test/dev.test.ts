import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, SERVICE_NAMES, URL_ENV } from '../mock-services/index.js';
import { takePort } from './helpers/taken-port.js';

/**
 * `npm start` as a newcomer runs it: a child process printing where everything is and two
 * development tokens. Every test gives it free ports (port 0 in each URL) and a key file of
 * its own, so nothing here touches the default ports or the developer's `.skyway-dev/`.
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const keyDir = mkdtempSync(join(tmpdir(), 'skyway-dev-keys-'));
const KEY_FILE = join(keyDir, 'accounts-signing-key.json');
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

/** Free ports everywhere: the BFF's PORT and METRICS_PORT, and each mock's URL. */
const ANY_PORTS: Record<string, string> = {
  PORT: '0',
  METRICS_PORT: '0',
  ...Object.fromEntries(SERVICE_NAMES.map((name) => [URL_ENV[name], 'http://127.0.0.1:0'])),
};

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

function runStart(env: Record<string, string>): Started {
  // `node --import tsx`, not tsx's CLI: the CLI relays a SIGTERM to its child only if the child
  // confirms within 30 ms, else kills it (exit 143), which a loaded machine cannot promise.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: '', LOG_LEVEL: 'warn', MOCK_KEY_FILE: KEY_FILE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => output };
}

interface Printed {
  graphql: string;
  mocks: Record<string, string>;
  customer: { id: string; token: string };
  dispatcher: { id: string; token: string };
}

/** Waits for the printout and reads the URLs and tokens off it, as a person would. */
async function printed(started: Started): Promise<Printed> {
  const done = /dispatcher (\S+): Bearer (\S+)\n/;
  while (!done.test(started.output())) {
    const exited = await Promise.race([
      started.exited.then(() => true),
      once(started.child.stdout ?? started.child, 'data').then(() => false),
    ]);
    if (exited) throw new Error(`npm start exited: ${started.output()}`);
  }
  const text = started.output();
  const customer = /customer (\S+): +Bearer (\S+)/.exec(text);
  const dispatcher = done.exec(text);
  return {
    graphql: /GraphiQL: +(\S+)/.exec(text)?.[1] ?? '',
    mocks: Object.fromEntries(
      SERVICE_NAMES.map((name) => [
        name,
        new RegExp(`${name} (http://\\S+?),?(\\s|$)`).exec(text)?.[1] ?? '',
      ]),
    ),
    customer: { id: customer?.[1] ?? '', token: customer?.[2] ?? '' },
    dispatcher: { id: dispatcher?.[1] ?? '', token: dispatcher?.[2] ?? '' },
  };
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGTERM');
  return started.exited;
}

async function viewerId(graphql: string, token: string): Promise<unknown> {
  const answer = await fetch(graphql, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { id name } }' }),
  });
  const body = (await answer.json()) as { data?: { viewer: { id: string; name: string } | null } };
  return body.data?.viewer;
}

describe('npm start', () => {
  it('seeds the mocks from MOCK_SEED, MOCK_ACCOUNTS and MOCK_DRONES', async () => {
    const seedEnv = { MOCK_SEED: '3', MOCK_ACCOUNTS: '20', MOCK_DRONES: '5' };
    const started = runStart({ ...ANY_PORTS, ...seedEnv });
    try {
      const { mocks } = await printed(started);
      const list = async (url: string) =>
        ((await (await fetch(`${url}?limit=100`)).json()) as { data: Array<{ name?: string }> })
          .data;
      const expected = generateSeed({ seed: 3, accounts: 20, drones: 5 });
      const accounts = await list(`${mocks.accounts}/v1/accounts`);
      expect(accounts).toHaveLength(20);
      expect(accounts.map((account) => account.name).sort()).toEqual(
        [...expected.accounts.values()].map((account) => account.name).sort(),
      );
      // Drones have no list route: the fifth is there, a sixth is not.
      expect((await fetch(`${mocks.drones}/v1/drones/drn_005`)).status).toBe(200);
      expect((await fetch(`${mocks.drones}/v1/drones/drn_006`)).status).toBe(404);
    } finally {
      expect(await stop(started)).toBe(0);
    }
  });

  it("prints a customer's and a dispatcher's token of two accounts, both valid after a restart", async () => {
    const first = runStart({ ...ANY_PORTS, MOCK_ACCOUNTS: '20' });
    let tokens: Printed;
    try {
      tokens = await printed(first);
      expect(tokens.customer.id).not.toBe(tokens.dispatcher.id);
      expect(await viewerId(tokens.graphql, tokens.customer.token)).toMatchObject({
        name: expect.any(String),
      });
      // In development by default: GraphiQL is there, with the customer's token in its headers.
      const graphiql = await fetch(tokens.graphql, { headers: { accept: 'text/html' } });
      expect(await graphiql.text()).toContain(tokens.customer.token);
    } finally {
      expect(await stop(first)).toBe(0);
    }
    // The key is kept where only its owner reads it.
    expect(statSync(KEY_FILE).mode & 0o777).toBe(0o600);

    const second = runStart({ ...ANY_PORTS, MOCK_ACCOUNTS: '20' });
    try {
      const { graphql } = await printed(second);
      const customer = await viewerId(graphql, tokens.customer.token);
      const dispatcher = await viewerId(graphql, tokens.dispatcher.token);
      expect(customer).toMatchObject({ name: expect.any(String) });
      expect(dispatcher).toMatchObject({ name: expect.any(String) });
      expect(customer).not.toEqual(dispatcher);
      // The dispatcher's token is a dispatcher's: it may read every delivery; the customer's not.
      const board = async (token: string) => {
        const answer = await fetch(graphql, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ deliveries(first: 1) { edges { node { id } } } }' }),
        });
        const body = (await answer.json()) as {
          errors?: Array<{ extensions?: { code?: string } }>;
        };
        return body.errors?.map((error) => error.extensions?.code) ?? [];
      };
      expect(await board(tokens.dispatcher.token)).toEqual([]);
      expect(await board(tokens.customer.token)).toEqual(['FORBIDDEN']);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });

  describe('on a taken port', () => {
    let blocker: Awaited<ReturnType<typeof takePort>>;
    let taken: number;
    beforeAll(async () => {
      blocker = await takePort();
      taken = blocker.port;
    });
    afterAll(() => blocker.release());

    // Each mock's line is held in-process by test/mock-services/env.test.ts; here one of each
    // kind goes through the whole command.
    it.each([
      ['PORT', 'the BFF'],
      ['METRICS_PORT', "the BFF's metrics endpoint"],
      ['UPSTREAM_DRONES_URL', 'the drones mock service'],
    ])('names %s, the port and what is taken in one line, exit 2', async (variable, what) => {
      const isUrl = variable.endsWith('_URL');
      const value = isUrl ? `http://127.0.0.1:${taken}` : String(taken);
      const started = runStart({ ...ANY_PORTS, [variable]: value });
      expect(await started.exited).toBe(2);
      expect(started.output().trim().split('\n')).toEqual([
        `${what} cannot listen on 127.0.0.1:${taken}: the port is taken; set ${variable} to another port${isUrl ? '' : ' (0 picks a free one)'}`,
      ]);
    });

    it('names every taken port at once, so one restart gets past them all', async () => {
      const others = [await takePort(), await takePort()];
      try {
        const [metrics, drones] = others.map((other) => other.port);
        const started = runStart({
          ...ANY_PORTS,
          PORT: String(taken),
          METRICS_PORT: String(metrics),
          UPSTREAM_DRONES_URL: `http://127.0.0.1:${drones}`,
        });
        expect(await started.exited).toBe(2);
        expect(started.output().trim().split('\n')).toEqual([
          `the drones mock service cannot listen on 127.0.0.1:${drones}: the port is taken; set UPSTREAM_DRONES_URL to another port`,
          `the BFF cannot listen on 127.0.0.1:${taken}: the port is taken; set PORT to another port (0 picks a free one)`,
          `the BFF's metrics endpoint cannot listen on 127.0.0.1:${metrics}: the port is taken; set METRICS_PORT to another port (0 picks a free one)`,
        ]);
      } finally {
        await Promise.all(others.map((other) => other.release()));
      }
    });
  });
});
