import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import {
  buildSchema,
  type DefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  parse,
  Source,
  specifiedRules,
  validate,
} from 'graphql';
import config from '../clients/codegen.js';

/**
 * `npm run codegen`: GraphQL Code Generator with `clients/codegen.ts`, after checking the
 * operations the way it would, so a mistake is reported as `file:line:column: message`.
 * Codegen itself, silenced to keep its progress lines out of a clean run, says only "One or
 * more errors occurred" for an unknown field and nothing at all for a syntax error, because
 * its document loader drops the position of a parse error.
 */

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * The rules codegen validates documents with: graphql-js's, less the three it leaves out
 * (@graphql-codegen/core `codegen.js`). Directives such as @defer are the BFF's plugins',
 * not the printed schema's, which is why KnownDirectives is among them.
 */
const CODEGEN_SKIPS = ['NoUnusedFragments', 'NoUnusedVariables', 'KnownDirectives'];
const rules = specifiedRules.filter(
  (rule) => !CODEGEN_SKIPS.some((skip) => rule.name.startsWith(skip)),
);

/** The files of the config's `documents`, which are all of the form `folder/*.graphql`. */
export function documentFiles(patterns: readonly string[], base = root): string[] {
  return patterns.flatMap((pattern) => {
    const match = /^(.+)\/\*\.graphql$/.exec(pattern);
    if (!match?.[1])
      throw new Error(`codegen: documents pattern ${pattern} is not folder/*.graphql`);
    const folder = match[1];
    return readdirSync(join(base, folder))
      .filter((file) => file.endsWith('.graphql'))
      .sort()
      .map((file) => join(base, folder, file));
  });
}

/** Every problem in the operations, one line each: `file:line:column: message`. */
export function checkOperations(
  schema: GraphQLSchema,
  files: readonly string[],
  base = root,
): string[] {
  const problems: string[] = [];
  const definitions: DefinitionNode[] = [];
  const at = (error: GraphQLError, fallback: string) => {
    const [location] = error.locations ?? [];
    const file = relative(base, error.source?.name ?? fallback);
    return location === undefined ? file : `${file}:${location.line}:${location.column}`;
  };
  for (const file of files) {
    try {
      definitions.push(...parse(new Source(readFileSync(file, 'utf8'), file)).definitions);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      problems.push(`${at(error, file)}: ${error.message}`);
    }
  }
  // One document of every file's definitions, as codegen sees them; each error keeps the
  // position in its own file.
  for (const error of validate(schema, { kind: 'Document' as never, definitions }, rules)) {
    problems.push(`${at(error, 'operations')}: ${error.message}`);
  }
  return problems;
}

async function main(): Promise<void> {
  const documents = config.documents as string[];
  const schema = buildSchema(readFileSync(join(root, String(config.schema)), 'utf8'));
  const problems = checkOperations(schema, documentFiles(documents));
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    console.error(`codegen: ${problems.length} problem(s) in the operations; nothing was written`);
    process.exit(1);
  }
  try {
    await generate({ ...config, cwd: root }, true);
  } catch (error) {
    // Anything the check above does not foresee: codegen's own words, without its stack.
    console.error(`codegen: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
