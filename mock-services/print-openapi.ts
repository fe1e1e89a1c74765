// `npm run openapi:print`: writes each service's OpenAPI document to mock-services/openapi/.
// test/mock-services/openapi.test.ts fails when the committed files differ from these.

import { mkdir, writeFile } from 'node:fs/promises';
import { SERVICE_NAMES } from './names.js';
import { openApiFileText } from './openapi.js';

const directory = new URL('./openapi/', import.meta.url);
await mkdir(directory, { recursive: true });
for (const name of SERVICE_NAMES) {
  const file = new URL(`${name}.json`, directory);
  await writeFile(file, openApiFileText(name));
  console.log(`wrote ${file.pathname}`);
}
