import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { GraphQLSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR } from '../../clients/codegen.js';
import { schema } from '../../src/schema/index.js';
import { OPERATION_NAMES } from '../helpers/operations.js';
import { MANIFEST } from '../helpers/persisted.js';

/**
 * `clients/generated` is what `npm run codegen` writes from today's schema and operations:
 * the same CLI and config write to a temporary folder and the files are compared one by one,
 * so a schema or operation change without a new codegen run fails here (and
 * `npm run typecheck` compiles what is committed).
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

function filesIn(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder).map((file) => [file, readFileSync(join(folder, file), 'utf8')]),
  );
}

describe('clients/generated', () => {
  it('is current (run `npm run codegen` after changing the schema or an operation)', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'skyway-codegen-'));
    try {
      // The project's config with only the output folder moved.
      const config = join(scratch, 'codegen.ts');
      writeFileSync(
        config,
        `import config, { GENERATED_DIR } from ${JSON.stringify(join(root, 'clients/codegen.ts'))};
export default { ...config, generates: { ${JSON.stringify(`${scratch}/out/`)}: config.generates[GENERATED_DIR] } };
`,
      );
      execFileSync(join(root, 'node_modules/.bin/graphql-codegen'), ['--config', config], {
        cwd: root,
        stdio: 'pipe',
      });
      const generated = filesIn(join(scratch, 'out'));
      const committed = filesIn(join(root, GENERATED_DIR));
      expect(Object.keys(committed).sort()).toEqual(Object.keys(generated).sort());
      for (const [file, content] of Object.entries(generated)) {
        expect(committed[file], `${GENERATED_DIR}${file} is stale`).toBe(content);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('the persisted-documents manifest', () => {
  const operationNames = [...MANIFEST.values()].map(
    (document) => /^(?:query|mutation) (\w+)/.exec(document)?.[1],
  );

  it("holds the contract's six operations and the clients' own", () => {
    expect(operationNames).toEqual(expect.arrayContaining(OPERATION_NAMES));
    expect(operationNames).toContain('DispatchBoardDeferred');
  });

  it('validates against the served schema, with @defer and @stream as the BFF serves them', () => {
    const served = new GraphQLSchema({
      ...schema.toConfig(),
      directives: [...schema.getDirectives(), GraphQLDeferDirective, GraphQLStreamDirective],
    });
    for (const [hash, document] of MANIFEST) {
      expect(
        validate(served, parse(document)).map((error) => error.message),
        hash,
      ).toEqual([]);
    }
  });
});
