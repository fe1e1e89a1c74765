import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { operation } from '../helpers/operations.js';
import { dashboardQueries, metricNamesIn, readRules } from './metric-names.js';

/**
 * The dashboard and the alerts query only what the BFF really exposes: a BFF serves known
 * requests (a screen, a deprecated field, an error), and every metric named in
 * `deploy/grafana/skyway.json` and `deploy/prometheus/skyway-rules.yaml` is in its scrape
 * (or is a recording rule's own series).
 */

let harness: Harness;
let exposed: Set<string>;

beforeAll(async () => {
  harness = await startHarness();
  const token = await harness.token('acc_0001', 'DISPATCHER');
  await harness.graphql(operation('MyDeliveries'), { token });
  await harness.graphql('{ deliveries(first: 1) { edges { node { package { weight } } } } }', {
    token,
    headers: { 'x-client-name': 'dashboard-test' },
  });
  await harness.graphql('{ nope }', { token });
  const text = await (await fetch(`${harness.server.metricsUrl}`)).text();
  // Sample names (`skyway_graphql_query_cost_bucket`) and family names (`# TYPE … histogram`).
  exposed = new Set(
    text
      .split('\n')
      .map((line) => (line.startsWith('# TYPE ') ? line.split(' ')[2] : line.split(/[{ ]/)[0]))
      .filter((name): name is string => Boolean(name)),
  );
});
afterAll(() => harness.close());

function missing(names: string[], recorded: Set<string>): string[] {
  return names.filter((name) => !exposed.has(name) && !recorded.has(name));
}

describe('names in deployment files', () => {
  const recorded = new Set(
    readRules().groups.flatMap((group) => group.rules.flatMap((rule) => rule.record ?? [])),
  );

  it('the dashboard queries only metrics the BFF exposes', () => {
    const names = dashboardQueries().flatMap(metricNamesIn);
    expect(names.length).toBeGreaterThan(20);
    expect(missing(names, new Set())).toEqual([]);
  });

  it('the rules query only metrics the BFF exposes, or series they record', () => {
    const names = readRules().groups.flatMap((group) =>
      group.rules.flatMap((rule) => metricNamesIn(rule.expr)),
    );
    expect(names).toContain('skyway_saga_total');
    expect(missing(names, recorded)).toEqual([]);
  });

  it('finds a name that is not exposed', () => {
    expect(missing(['skyway_graphql_requests_totl'], recorded)).toEqual([
      'skyway_graphql_requests_totl',
    ]);
  });
});
