import { defineConfig } from 'vitest/config';

// Integration tests talk to real engines, which start once per run (globalSetup in
// @plexus/test-harness) and are shared by every test file of the project.
export const sharedTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default']
  }
});
