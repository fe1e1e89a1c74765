import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (`main`) and ESM (`module`). Node, and so every dependency, loads
    // the CJS build; Vite would pick the ESM one for our own imports, and two copies of
    // graphql refuse each other's schemas. Point ours at the one Node uses.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One redis-server for the whole run (or REDIS_URL's), handed to tests by inject().
    globalSetup: ['test/setup/redis.ts'],
    // Each file starts its own mock services on port 0, so files can run side by side.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
