import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../../clients/codegen.js';
import { checkOperations, documentFiles } from '../../scripts/codegen.js';
import { schema } from '../../src/schema/index.js';

/**
 * `npm run codegen` says where an operation is wrong (file, line, column) and what is wrong,
 * where codegen alone said nothing for a syntax error and "One or more errors occurred" for
 * an unknown field.
 */

const scratch = mkdtempSync(join(tmpdir(), 'skyway-codegen-check-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function operationFile(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

describe('codegen', () => {
  it("finds the contract's operations and the clients' own from the config", () => {
    const names = documentFiles(config.documents as string[]).map((file) =>
      file.replace(/^.*\/(contract|clients)\//, '$1/'),
    );
    expect(names).toContain('contract/operations/MyDeliveries.graphql');
    expect(names).toContain('clients/operations/DispatchBoardDeferred.graphql');
  });

  it('passes the operations as they are', () => {
    expect(checkOperations(schema, documentFiles(config.documents as string[]))).toEqual([]);
  });

  it('names the file, line and column of a syntax error and of an unknown field', () => {
    const broken = operationFile('Broken.graphql', 'query Broken {\n  viewer {\n    name\n');
    const unknown = operationFile(
      'Unknown.graphql',
      'query Unknown {\n  viewer {\n    nmae\n    deliveries(first: 2) { edges { node { id } } }\n  }\n}\n',
    );
    expect(checkOperations(schema, [broken, unknown], scratch)).toEqual([
      'Broken.graphql:4:1: Syntax Error: Expected Name, found <EOF>.',
      'Unknown.graphql:3:5: Cannot query field "nmae" on type "Account". Did you mean "name"?',
    ]);
  });

  it('leaves out what codegen leaves out: directives the BFF adds, unused variables', () => {
    const deferred = operationFile(
      'Deferred.graphql',
      'query Deferred($unused: Int) {\n  viewer { id ... @defer { name } }\n}\n',
    );
    expect(checkOperations(schema, [deferred], scratch)).toEqual([]);
  });
});
