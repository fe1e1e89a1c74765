import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Change, CriticalityLevel, DiffRule, diff, type Rule } from '@graphql-inspector/core';
import { buildSchema, type GraphQLSchema } from 'graphql';

/**
 * `npm run schema:check`: what the served schema (the code's) changes for the apps, compared
 * with the published versions of it, as breaking, dangerous and safe changes
 * (@graphql-inspector/core). Exits 1 on a breaking change. Compared with:
 *
 * - `contract/schema.graphql`: the schema the apps were built against. The served one must be
 *   a non-breaking superset of it, with no exception.
 * - `schema.graphql`: the last printed version, so a change shows here before
 *   `npm run schema:print` makes it the new normal.
 * - with `--base <git ref>` (a pull request's target, `origin/main`), `schema.graphql` as it
 *   is there: a breaking change anywhere in a branch's commits shows up.
 *
 * The versioning policy (README, "Schema changes"): additive changes only; a field goes by
 * deprecation first. So against our own versions, removing a field or enum value that was
 * already `@deprecated` is dangerous rather than breaking: it is the last step of that path, to
 * be taken once `skyway_deprecated_field_usage_total` for it has stayed at zero. Against the
 * contract it stays breaking: the contract changes first.
 */

export interface SchemaCheck {
  /** What the served schema is compared with, for the report. */
  against: string;
  breaking: Change[];
  dangerous: Change[];
  safe: Change[];
}

export interface CheckOptions {
  /** Removing an already deprecated field or enum value is dangerous, not breaking. */
  deprecatedMayGo?: boolean;
}

/** The changes from `before` (a published version) to `after` (the served schema). */
export async function checkSchema(
  against: string,
  before: GraphQLSchema | string,
  after: GraphQLSchema | string,
  options: CheckOptions = {},
): Promise<SchemaCheck> {
  const asSchema = (schema: GraphQLSchema | string) =>
    typeof schema === 'string' ? buildSchema(schema) : schema;
  const rules: Rule[] = options.deprecatedMayGo ? [DiffRule.suppressRemovalOfDeprecatedField] : [];
  const changes = await diff(asSchema(before), asSchema(after), rules);
  const at = (level: CriticalityLevel) =>
    changes.filter((change) => change.criticality.level === level);
  return {
    against,
    breaking: at(CriticalityLevel.Breaking),
    dangerous: at(CriticalityLevel.Dangerous),
    safe: at(CriticalityLevel.NonBreaking),
  };
}

/** The report a person reads: every change, grouped, with the reason inspector gives. */
export function formatCheck(check: SchemaCheck): string {
  const lines = [`served schema vs ${check.against}:`];
  const group = (title: string, changes: Change[]) => {
    lines.push(`  ${title}: ${changes.length}`);
    for (const change of changes) {
      const { reason: why } = change.criticality;
      const reason = why && why !== change.message ? ` (${why})` : '';
      lines.push(`    - ${change.message}${reason}`);
    }
  };
  group('breaking', check.breaking);
  group('dangerous', check.dangerous);
  group('safe', check.safe);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { schema } = await import('../src/schema/index.js');
  const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
  const checks = [
    await checkSchema('contract/schema.graphql', read('contract/schema.graphql'), schema),
    await checkSchema('schema.graphql', read('schema.graphql'), schema, { deprecatedMayGo: true }),
  ];
  const baseAt = process.argv.indexOf('--base');
  if (baseAt >= 0) {
    const base = process.argv[baseAt + 1];
    if (!base) throw new Error('--base needs a git ref, e.g. --base origin/main');
    const published = execFileSync('git', ['show', `${base}:schema.graphql`], { encoding: 'utf8' });
    checks.push(
      await checkSchema(`schema.graphql at ${base}`, published, schema, { deprecatedMayGo: true }),
    );
  }
  for (const check of checks) console.log(`${formatCheck(check)}\n`);
  const breaking = checks.reduce((sum, check) => sum + check.breaking.length, 0);
  if (breaking > 0) {
    console.error(
      `schema:check: ${breaking} breaking change(s). Add instead of changing; deprecate a field before removing it.`,
    );
    process.exit(1);
  }
  console.log('schema:check: no breaking change');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
