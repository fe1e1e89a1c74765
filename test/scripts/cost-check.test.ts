import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatCostTable,
  type OperationCost,
  priceDocuments,
  pricingVariables,
} from '../../scripts/cost-check.js';
import { sha256Hex } from '../../src/plugins/persisted-documents-manifest.js';
import { MAX_PAGE_SIZE } from '../../src/schema/delivery.js';
import { schema } from '../../src/schema/index.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { MANIFEST } from '../helpers/persisted.js';
import { accountWithDeliveries } from '../helpers/upstream-data.js';

/**
 * `npm run cost:check` prices the persisted operations as the server does, and fails the
 * build when one can cost more than the limit.
 */

const OPTIONS = { maxCost: 1000, maxListSize: MAX_PAGE_SIZE };
const costs = priceDocuments(schema, MANIFEST, OPTIONS);
const byName = (name: string) => costs.find((cost) => cost.name === name) as OperationCost;

const root = fileURLToPath(new URL('../../', import.meta.url));
function costCheck(env: Record<string, string> = {}): { status: number; output: string } {
  try {
    const output = execFileSync(`${root}node_modules/.bin/tsx`, ['scripts/cost-check.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: failed.stdout + failed.stderr };
  }
}

describe('the prices', () => {
  it('cover every persisted operation', () => {
    expect(costs.map((cost) => cost.hash).sort()).toEqual([...MANIFEST.keys()].sort());
  });

  it('take the largest page the server allows as the price to check', () => {
    // MyDeliveries asks for 20 by default and may ask for 100.
    const myDeliveries = byName('MyDeliveries');
    expect(myDeliveries.atMost).toBeGreaterThan(myDeliveries.atDefaults);
    const page = (first: string) =>
      new Map([[sha256Hex(first), first]]) as ReadonlyMap<string, string>;
    const [unsized] = priceDocuments(
      schema,
      page('query P($first: Int) { deliveries(first: $first) { edges { node { id } } } }'),
      OPTIONS,
    );
    const [fixed] = priceDocuments(
      schema,
      page('query P { deliveries(first: 5) { edges { node { id } } } }'),
      OPTIONS,
    );
    expect(unsized?.atMost).toBe(fixed ? (fixed.atMost - 1) * 20 + 1 : Number.NaN);
  });
});

describe("the server's own price", () => {
  let harness: Harness;
  beforeAll(async () => {
    // Every operation is over a limit of 1: the refusal names the price the server computed,
    // before anything runs (mutations included).
    harness = await startHarness({ QUERY_MAX_COST: '1', PERSISTED_DOCUMENTS: 'require' });
  });
  afterAll(() => harness.close());

  it('is the price cost:check gives, at the defaults and at most, for every persisted operation', async () => {
    const token = await harness.token(await accountWithDeliveries(harness, 1), 'DISPATCHER');
    await harness.reset();
    for (const cost of costs) {
      for (const [mode, expected] of [
        ['defaults', cost.atDefaults],
        ['most', cost.atMost],
      ] as const) {
        const variables = pricingVariables(
          schema,
          parse(MANIFEST.get(cost.hash) ?? ''),
          mode,
          MAX_PAGE_SIZE,
        );
        const answer = await fetch(`${harness.server.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            authorization: `Bearer ${token}`,
          },
          body: JSON.stringify({ documentId: `sha256:${cost.hash}`, variables }),
        });
        const body = (await answer.json()) as {
          errors?: Array<{ extensions?: { code?: string; cost?: number } }>;
        };
        expect(body.errors?.[0]?.extensions, `${cost.name} at ${mode}`).toMatchObject({
          code: 'QUERY_TOO_COMPLEX',
          cost: expected,
        });
      }
    }
    expect(Object.values(await harness.callCounts())).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('npm run cost:check', () => {
  it('prints the table and passes under the configured limit', () => {
    const { status, output } = costCheck();
    expect(status).toBe(0);
    expect(output).toContain(formatCostTable(costs, 1000));
    expect(output).toMatch(/within 1000 points/);
  });

  it('fails, naming the operations, when one can cost more than QUERY_MAX_COST', () => {
    const limit = byName('DispatchBoard').atMost - 1;
    const { status, output } = costCheck({ QUERY_MAX_COST: String(limit) });
    expect(status).toBe(1);
    expect(output).toMatch(new RegExp(`^DispatchBoard +query .* OVER \\(limit ${limit}\\)$`, 'm'));
    expect(output).toMatch(/^MyDeliveries +query .* ok$/m);
    expect(output).toMatch(/DispatchBoard.* can cost more than QUERY_MAX_COST/);
  });
});
