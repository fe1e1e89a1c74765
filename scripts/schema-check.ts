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
 *
 * A clean run prints one line (how many dangerous and safe changes each comparison found);
 * `--verbose` lists them. Breaking changes are always listed in full.
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

/**
 * The report a person reads. Breaking changes are always listed in full, with the reason
 * inspector gives; dangerous and safe ones (every `@cost` the served schema adds to the
 * contract's, for one) only with `verbose`, since on a clean tree they hide the signal.
 */
export function formatCheck(check: SchemaCheck, { verbose = true } = {}): string {
  const lines = [`served schema vs ${check.against}:`];
  const group = (title: string, changes: Change[], listed: boolean) => {
    lines.push(`  ${title}: ${changes.length}`);
    if (!listed) return;
    for (const change of changes) {
      const { reason: why } = change.criticality;
      const reason = why && why !== change.message ? ` (${why})` : '';
      lines.push(`    - ${change.message}${reason}`);
    }
  };
  group('breaking', check.breaking, true);
  group('dangerous', check.dangerous, verbose);
  group('safe', check.safe, verbose);
  return lines.join('\n');
}

/** What the command prints and its exit code: one line when nothing breaks, unless verbose. */
export function report(
  checks: SchemaCheck[],
  { verbose = false } = {},
): { text: string; code: 0 | 1 } {
  const breaking = checks.reduce((sum, check) => sum + check.breaking.length, 0);
  const counts = checks
    .map(
      (check) => `${check.against}: ${check.dangerous.length} dangerous, ${check.safe.length} safe`,
    )
    .join('; ');
  if (breaking > 0) {
    const shown = verbose ? checks : checks.filter((check) => check.breaking.length > 0);
    return {
      text: [
        ...shown.map((check) => `${formatCheck(check, { verbose })}\n`),
        `schema:check: ${breaking} breaking change(s). Add instead of changing; deprecate a field before removing it.`,
      ].join('\n'),
      code: 1,
    };
  }
  const summary = `schema:check: no breaking change (${counts}; --verbose lists them)`;
  if (!verbose) return { text: summary, code: 0 };
  return {
    text: [...checks.map((check) => `${formatCheck(check)}\n`), summary].join('\n'),
    code: 0,
  };
}

/** A `--base` ref git cannot show `schema.graphql` at, said in one line, not a stack. */
class BaseRefError extends Error {}

function schemaAt(base: string): string {
  try {
    return execFileSync('git', ['show', `${base}:schema.graphql`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const said = String((error as { stderr?: unknown }).stderr ?? '')
      .split('\n')[0]
      ?.trim();
    throw new BaseRefError(
      `schema:check: --base ${base}: git cannot show schema.graphql there${said ? ` (${said})` : ''}`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const baseAt = args.indexOf('--base');
  const base = baseAt >= 0 ? args[baseAt + 1] : undefined;
  if (baseAt >= 0 && (base === undefined || base.startsWith('--'))) {
    console.error('schema:check: --base needs a git ref, e.g. --base origin/main');
    process.exit(2);
  }
  let published: string | undefined;
  try {
    published = base === undefined ? undefined : schemaAt(base);
  } catch (error) {
    if (!(error instanceof BaseRefError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const { schema } = await import('../src/schema/index.js');
  const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
  const checks = [
    await checkSchema('contract/schema.graphql', read('contract/schema.graphql'), schema),
    await checkSchema('schema.graphql', read('schema.graphql'), schema, { deprecatedMayGo: true }),
  ];
  if (published !== undefined) {
    checks.push(
      await checkSchema(`schema.graphql at ${base}`, published, schema, { deprecatedMayGo: true }),
    );
  }
  const { text, code } = report(checks, { verbose });
  if (code === 0) console.log(text);
  else console.error(text);
  process.exitCode = code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
