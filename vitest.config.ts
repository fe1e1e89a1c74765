import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own mock services on port 0, so files can run side by side.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
