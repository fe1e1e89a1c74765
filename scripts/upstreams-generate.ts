import { mkdir, writeFile } from 'node:fs/promises';
import { GENERATED_DIRECTORY, GenerationError, generateUpstreams } from './upstreams/generate.js';

/**
 * `npm run upstreams:generate`: the BFF's upstream record types and answer validators, from
 * the services' documents (mock-services/openapi/) and what the BFF uses of them
 * (src/upstreams/usage.ts), into src/upstreams/generated/ (committed; a test fails while they
 * are stale). A document that lacks something the BFF uses: each gap on a line, exit 1,
 * nothing written.
 */
try {
  const files = await generateUpstreams();
  await mkdir(GENERATED_DIRECTORY, { recursive: true });
  for (const [name, text] of files) await writeFile(new URL(name, GENERATED_DIRECTORY), text);
  console.log(`wrote ${files.size} files to src/upstreams/generated/`);
} catch (error) {
  if (!(error instanceof GenerationError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
