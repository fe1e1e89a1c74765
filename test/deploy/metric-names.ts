import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The metric names that deployment files query, for tests that hold them to what the BFF
 * exposes. Skyway's metrics are `skyway_*` and the runtime's `process_*` and `nodejs_*`;
 * `skyway:*` are the recording rules' own series.
 */

const METRIC = /\b(?:skyway|process|nodejs)_\w+|\bskyway:[\w:]+/g;

export function metricNamesIn(promql: string): string[] {
  // Label values and matchers can hold anything; only names outside them count.
  const bare = promql.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(bare.match(METRIC) ?? [])];
}

export interface RuleFile {
  groups: Array<{
    name: string;
    rules: Array<{ record?: string; alert?: string; expr: string }>;
  }>;
}

export const RULES_PATH = new URL('../../deploy/prometheus/skyway-rules.yaml', import.meta.url);
export const DASHBOARD_PATH = new URL('../../deploy/grafana/skyway.json', import.meta.url);

export function readRules(): RuleFile {
  return parse(readFileSync(RULES_PATH, 'utf8')) as RuleFile;
}

/** Every `expr` of the dashboard's panels and variables. */
export function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
    templating: { list: Array<{ query?: unknown }> };
  };
  return [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ...dashboard.templating.list.flatMap((variable) => {
      const query = variable.query as { query?: string } | string | undefined;
      return typeof query === 'object' && query.query ? [query.query] : [];
    }),
  ];
}
