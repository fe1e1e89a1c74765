import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { UPSTREAM_NAMES, type UpstreamName } from '../src/config.js';
import { compareWithView, type Finding } from './upstreams/compare.js';
import { GENERATED_DIRECTORY, readDocument } from './upstreams/generate.js';
import type { Json } from './upstreams/view.js';

/**
 * `npm run upstreams:check [-- --spec deliveries=path-or-url …]`: each service's document
 * against what the BFF uses of it (the views in src/upstreams/generated/, see
 * `upstreams/compare.ts`). By default the documents are the committed ones in
 * mock-services/openapi/; `--spec name=…` takes another version of one (a file, JSON or YAML,
 * or an http(s) URL), so a service team can try a new version before it ships.
 *
 * Prints one line per finding: `service  severity  route  subject: message`. Exits 1 when a
 * change breaks the BFF; 0 when every change is additive or one the BFF must handle (a new
 * enum value it reads: listed, so the team knows to handle it before it is sent); 2 on bad
 * arguments or a document that cannot be read.
 */

export interface ServiceCheck {
  service: UpstreamName;
  source: string;
  findings: Finding[];
}

export async function readSpec(source: string): Promise<Json> {
  const text = /^https?:\/\//.test(source)
    ? await fetchText(source)
    : await readFile(resolve(source), 'utf8');
  const parsed: unknown = /\.ya?ml$/i.test(source) ? parseYaml(text) : JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || !('paths' in parsed))
    throw new Error(`${source} is not an OpenAPI document`);
  return parsed as Json;
}

async function fetchText(url: string): Promise<string> {
  const answer = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
  return answer.text();
}

export async function checkUpstreams(
  specs: Partial<Record<UpstreamName, string>> = {},
): Promise<ServiceCheck[]> {
  const checks: ServiceCheck[] = [];
  for (const service of UPSTREAM_NAMES) {
    const view = JSON.parse(
      await readFile(new URL(`${service}.openapi.json`, GENERATED_DIRECTORY), 'utf8'),
    ) as Json;
    const committed = await readDocument(service);
    const source = specs[service];
    const candidate = source === undefined ? committed : await readSpec(source);
    checks.push({
      service,
      source: source ?? `mock-services/openapi/${service}.json`,
      findings: compareWithView(view, candidate, committed),
    });
  }
  return checks;
}

const ORDER = { breaking: 0, 'must handle': 1, additive: 2 } as const;

export function formatChecks(checks: ServiceCheck[]): string {
  const lines: string[] = [];
  for (const { service, source, findings } of checks) {
    const breaking = findings.filter((f) => f.severity === 'breaking').length;
    const verdict = breaking > 0 ? `${breaking} breaking` : 'compatible';
    lines.push(`${service} (${source}): ${verdict}, ${findings.length - breaking} other change(s)`);
    for (const f of [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity])) {
      lines.push(`  ${service}  ${f.severity}  ${f.route}  ${f.subject}: ${f.message}`);
    }
  }
  return lines.join('\n');
}

export function parseSpecs(values: string[]): Partial<Record<UpstreamName, string>> {
  const specs: Partial<Record<UpstreamName, string>> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const name = value.slice(0, at);
    if (at < 1 || !(UPSTREAM_NAMES as readonly string[]).includes(name))
      throw new Error(
        `--spec ${value}: expected <service>=<path or url>, service one of ${UPSTREAM_NAMES.join(', ')}`,
      );
    specs[name as UpstreamName] = value.slice(at + 1);
  }
  return specs;
}

async function main(): Promise<number> {
  let specs: Partial<Record<UpstreamName, string>>;
  let checks: ServiceCheck[];
  try {
    const { values } = parseArgs({
      options: { spec: { type: 'string', multiple: true, default: [] } },
    });
    specs = parseSpecs(values.spec);
    checks = await checkUpstreams(specs);
  } catch (error) {
    console.error(`upstreams:check: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  console.log(formatChecks(checks));
  return checks.some((c) => c.findings.some((f) => f.severity === 'breaking')) ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
