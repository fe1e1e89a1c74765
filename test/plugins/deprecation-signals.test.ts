import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';

/** A response that used a deprecated field says so, in headers and extensions; others don't. */

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  token = await harness.token('acc_0001', 'DISPATCHER');
});
afterAll(() => harness.close());

const WITH_WEIGHT = `{ deliveries(first: 2) { edges { node { package { weight weightKg } } } } }`;
const WITHOUT = `{ deliveries(first: 2) { edges { node { package { weightKg } } } } }`;

describe('Package.weight (deprecated)', () => {
  it('resolves from weightKg and answers with Deprecation, Sunset and extensions.deprecations', async () => {
    const { headers, body } = await harness.graphql<{
      deliveries: { edges: Array<{ node: { package: { weight: string; weightKg: number } } }> };
    }>(WITH_WEIGHT, { token, headers: { 'x-client-name': 'ios-app' } });

    const pkg = body.data?.deliveries.edges[0]?.node.package;
    expect(pkg?.weight).toBe(`${pkg?.weightKg} kg`);
    expect(headers.get('deprecation')).toBe(`@${Date.parse('2026-11-24') / 1000}`);
    expect(headers.get('sunset')).toBe(new Date('2027-06-30').toUTCString());
    expect(body.extensions?.deprecations).toEqual([
      {
        field: 'Package.weight',
        reason: 'Use weightKg. Removal after 2027-06-30.',
        sunset: '2027-06-30',
      },
    ]);
    const metrics = await (await fetch(`${harness.server.metricsUrl}`)).text();
    expect(metrics).toMatch(
      /skyway_deprecated_field_usage_total\{field="Package.weight",client="ios-app"\} 1/,
    );
  });

  it('leaves a response that used no deprecated field alone', async () => {
    const { headers, body } = await harness.graphql(WITHOUT, { token });
    expect(body.errors).toBeUndefined();
    expect(headers.get('deprecation')).toBeNull();
    expect(headers.get('sunset')).toBeNull();
    expect(body.extensions?.deprecations).toBeUndefined();
  });
});
