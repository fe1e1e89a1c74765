/**
 * Writes the served schema to `schema.graphql` at the repository root (`npm run schema:print`).
 * A test fails while the committed file differs from what the code builds.
 */
import { writeFileSync } from 'node:fs';
import { schema } from '../src/schema/index.js';
import { printSortedSchema } from '../src/schema/print.js';

const target = new URL('../schema.graphql', import.meta.url);
writeFileSync(target, printSortedSchema(schema));
console.log(`wrote ${target.pathname}`);
