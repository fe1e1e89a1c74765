import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSchema, formatCheck, report } from '../../scripts/schema-check.js';
import { schema } from '../../src/schema/index.js';
import { printSortedSchema } from '../../src/schema/print.js';

/**
 * `npm run schema:check` catches what would break an app already in users' hands. The served
 * schema is printed, changed the way a careless commit would change it, and checked against
 * the original, as the script checks the code against the published versions.
 */

const published = printSortedSchema(schema);

/** The published SDL with one edit; fails loudly if the edit no longer applies. */
function edited(from: string | RegExp, to: string): string {
  const changed = published.replace(from, to);
  if (changed === published) throw new Error(`the edit ${String(from)} did not apply`);
  return changed;
}

/** The block of `type Name` in the SDL, to edit inside one type only. */
function inType(name: string, from: string, to: string): string {
  const start = published.indexOf(`type ${name} `);
  const end = published.indexOf('\n}', start) + 1;
  const block = published.slice(start, end);
  if (start < 0 || !block.includes(from)) throw new Error(`${name} has no ${from}`);
  return published.slice(0, start) + block.replace(from, to) + published.slice(end);
}

const breakingOf = async (after: string) =>
  (await checkSchema('published', published, after, { deprecatedMayGo: true })).breaking.map(
    (change) => change.message,
  );

describe('schema:check', () => {
  it('finds nothing in the served schema against itself', async () => {
    const check = await checkSchema('published', published, schema);
    expect([...check.breaking, ...check.dangerous, ...check.safe]).toEqual([]);
  });

  it('catches a removed field', async () => {
    expect(await breakingOf(inType('Delivery', '  eta: DateTime\n', ''))).toEqual([
      "Field 'eta' was removed from object type 'Delivery'",
    ]);
  });

  it('catches a non-null output field made nullable', async () => {
    expect(await breakingOf(inType('Account', '  name: String!\n', '  name: String\n'))).toEqual([
      "Field 'Account.name' changed type from 'String!' to 'String'",
    ]);
  });

  it('catches a removed enum value and a new required argument', async () => {
    expect(await breakingOf(edited(/\n {2}SCHEDULED\n/, '\n'))).toEqual([
      "Enum value 'SCHEDULED' was removed from enum 'DeliveryStatus'",
    ]);
    expect(
      await breakingOf(inType('Account', '  email: String!', '  email(masked: Boolean!): String!')),
    ).toEqual(["Argument 'masked: Boolean!' added to field 'Account.email'"]);
  });

  it('lets an added field through as safe, and an added enum value as dangerous', async () => {
    const added = await checkSchema(
      'published',
      published,
      inType('Drone', '  model: String!\n', '  model: String!\n  serial: String\n'),
    );
    expect(added.breaking).toEqual([]);
    expect(added.safe.map((change) => change.message)).toEqual([
      "Field 'serial' was added to object type 'Drone'",
    ]);
    const enumValue = await checkSchema(
      'published',
      published,
      edited(/\n {2}SCHEDULED\n/, '\n  RETURNED\n  SCHEDULED\n'),
    );
    expect(enumValue.breaking).toEqual([]);
    expect(enumValue.dangerous.map((change) => change.message)).toEqual([
      "Enum value 'RETURNED' was added to enum 'DeliveryStatus'",
    ]);
  });

  it('lets a deprecated field go (dangerous), but not against the contract', async () => {
    const deprecated = inType(
      'Drone',
      '  model: String!\n',
      '  model: String!\n  serial: String @deprecated(reason: "Use model.")\n',
    );
    const removed = await checkSchema('ours', deprecated, published, { deprecatedMayGo: true });
    expect(removed.breaking).toEqual([]);
    expect(removed.dangerous.map((change) => change.message)).toContain(
      "Field 'serial' (deprecated) was removed from object type 'Drone'",
    );
    const againstContract = await checkSchema('contract', deprecated, published);
    expect(againstContract.breaking).toHaveLength(1);
  });

  it('prints every change under its level', async () => {
    const check = await checkSchema(
      'contract/schema.graphql',
      published,
      inType('Delivery', '  eta: DateTime\n', ''),
    );
    expect(formatCheck(check)).toMatch(
      /^served schema vs contract\/schema\.graphql:\n {2}breaking: 1\n {4}- Field 'eta' was removed from object type 'Delivery'.*\n {2}dangerous: 0\n {2}safe: 0$/s,
    );
  });

  it('lists breaking changes in full without --verbose, and only the checks that have them', async () => {
    const removed = await checkSchema(
      'contract/schema.graphql',
      published,
      inType('Delivery', '  eta: DateTime\n', '  serial: String\n'),
    );
    const clean = await checkSchema('schema.graphql', published, published);
    const { text, code } = report([removed, clean]);
    expect(code).toBe(1);
    expect(text.split('\n')).toEqual([
      'served schema vs contract/schema.graphql:',
      '  breaking: 1',
      expect.stringMatching(/^ {4}- Field 'eta' was removed from object type 'Delivery'/),
      '  dangerous: 0',
      '  safe: 1',
      '',
      'schema:check: 1 breaking change(s). Add instead of changing; deprecate a field before removing it.',
    ]);
    expect(report([removed, clean], { verbose: true }).text).toContain(
      "    - Field 'serial' was added to object type 'Delivery'",
    );
  });

  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const run = (...args: string[]) =>
    spawnSync(tsx, ['scripts/schema-check.ts', ...args], { cwd: repo, encoding: 'utf8' });

  it('says one line on the code as it is, as CI runs it, and every change with --verbose', () => {
    const quiet = run();
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).toMatch(
      /^schema:check: no breaking change \(contract\/schema\.graphql: \d+ dangerous, \d+ safe; schema\.graphql: 0 dangerous, 0 safe; --verbose lists them\)\n$/,
    );
    const verbose = run('--verbose');
    expect(verbose.status).toBe(0);
    expect(verbose.stdout).toContain('served schema vs contract/schema.graphql:');
    expect(verbose.stdout).toContain("    - Directive 'cost' was added to object 'Account'");
  });

  it('says in one line, without a stack, that a --base ref does not exist', () => {
    const missing = run('--base', 'nosuchref');
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      "schema:check: --base nosuchref: git cannot show schema.graphql there (fatal: invalid object name 'nosuchref'.)\n",
    );
  });
});
