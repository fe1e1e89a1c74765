import { readFileSync } from 'node:fs';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { printSortedSchema } from '../../src/schema/print.js';
import { OPERATION_NAMES, operation } from '../helpers/operations.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('schema.graphql', () => {
  it('is the printed served schema (run `npm run schema:print` after changing the schema)', () => {
    expect(read('schema.graphql')).toBe(printSortedSchema(schema));
  });

  it('has no breaking change from the contract schema', async () => {
    const changes = await diff(buildSchema(read('contract/schema.graphql')), schema);
    const breaking = changes.filter(
      (change) => change.criticality.level === CriticalityLevel.Breaking,
    );
    expect(breaking.map((change) => change.message)).toEqual([]);
  });
});

describe("the apps' operations", () => {
  it('are all six of the contract', () => {
    expect(OPERATION_NAMES.sort()).toEqual([
      'CancelDelivery',
      'DeliveryDetail',
      'DispatchBoard',
      'MyDeliveries',
      'PayForDelivery',
      'ScheduleDelivery',
    ]);
  });

  for (const name of OPERATION_NAMES) {
    it(`${name} validates against the served schema`, () => {
      expect(validate(schema, parse(operation(name))).map((error) => error.message)).toEqual([]);
    });
  }
});
