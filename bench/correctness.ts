import { isDeepStrictEqual } from 'node:util';
import { request } from 'undici';
import type { ContenderName } from './contenders.js';
import type { CorrectnessResult } from './results.js';
import { askedOf, type GraphqlRequest, type Scenario } from './scenarios.js';

/**
 * Before anything is timed: the same requests to every contender, and every answer compared
 * with Skyway's, which must itself be a clean answer with data. A contender that differs is
 * reported with the first difference and left out of that scenario's timing. A contender with
 * a schema of its own (the Mesh peer) is asked the same screen in it (`Scenario.dialects`),
 * and its answer is put in Skyway's shape before the comparison.
 */

export async function post(url: string, graphql: GraphqlRequest): Promise<unknown> {
  const answer = await request(url, {
    method: 'POST',
    headers: graphql.headers,
    body: graphql.body,
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 200)
    throw new Error(`HTTP ${answer.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

export async function checkScenario(
  scenario: Scenario,
  contenders: Partial<Record<ContenderName, string>>,
  requests: number,
): Promise<CorrectnessResult[]> {
  const reference = contenders.skyway;
  if (reference === undefined) throw new Error('Skyway is the reference and must run');
  const problems = new Map<ContenderName, string>();
  const names = Object.keys(contenders) as ContenderName[];

  for (let i = 0; i < requests; i += 1) {
    const graphql = scenario.request(i);
    const expected = await post(reference, graphql).catch((error: unknown) => error);
    const unusable = describeUnusable(expected);
    if (unusable !== null) {
      problems.set('skyway', `request ${i}: ${unusable}`);
      break;
    }
    for (const name of names) {
      if (name === 'skyway' || problems.has(name)) continue;
      const url = contenders[name] as string;
      const dialect = scenario.dialects?.[name];
      const answer = await post(url, askedOf(scenario, name).request(i)).catch(
        (error: unknown) => error,
      );
      const actual =
        dialect === undefined || answer instanceof Error ? answer : dialect.toSkyway(answer);
      if (actual instanceof Error) {
        problems.set(name, `request ${i}: ${actual.message}`);
      } else if (!isDeepStrictEqual(actual, expected)) {
        problems.set(name, `request ${i}: ${firstDifference(expected, actual, '')}`);
      }
    }
  }
  return names.map((name) => {
    const problem = problems.get(name);
    return {
      scenario: scenario.name,
      contender: name,
      requests,
      ok: problem === undefined,
      ...(problem === undefined ? {} : { problem }),
    };
  });
}

/** Why an answer cannot be the reference, or null when it is a clean answer with data. */
function describeUnusable(answer: unknown): string | null {
  if (answer instanceof Error) return answer.message;
  if (typeof answer !== 'object' || answer === null) return 'not a JSON object';
  const { data, errors } = answer as { data?: Record<string, unknown> | null; errors?: unknown };
  if (errors !== undefined) return `errors: ${JSON.stringify(errors).slice(0, 300)}`;
  if (data == null || Object.values(data).some((value) => value === null)) {
    return `no data: ${JSON.stringify(answer).slice(0, 300)}`;
  }
  return null;
}

/** The path of the first place two JSON values differ, with both values there. */
export function firstDifference(expected: unknown, actual: unknown, path: string): string {
  const show = (value: unknown) => JSON.stringify(value)?.slice(0, 120) ?? 'undefined';
  if (
    typeof expected !== 'object' ||
    typeof actual !== 'object' ||
    expected === null ||
    actual === null ||
    Array.isArray(expected) !== Array.isArray(actual)
  ) {
    return `at ${path || '(root)'}: expected ${show(expected)}, got ${show(actual)}`;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    const a = (expected as Record<string, unknown>)[key];
    const b = (actual as Record<string, unknown>)[key];
    if (!isDeepStrictEqual(a, b)) return firstDifference(a, b, `${path}.${key}`);
  }
  return `at ${path || '(root)'}: differs`;
}
