import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `@troupe/source` export condition.
export default defineConfig({
  resolve: { conditions: ['@troupe/source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@troupe/source', 'module', 'node', 'import', 'default'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
