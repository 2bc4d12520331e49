import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `@troupe/source` export condition.
export default defineConfig({
  resolve: { conditions: ['@troupe/source', 'module', 'node', 'import', 'default'] },
  // Test processes get these as Node `--conditions`; `import` there would load protobufjs' wrong Long
  // build inside etcd3 and round etcd lease ids.
  ssr: { resolve: { conditions: ['@troupe/source', 'node'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
