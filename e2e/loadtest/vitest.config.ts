import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Files run one at a time: the end-to-end files each start a whole platform and a fleet, and two
// at once on a 2-core machine would measure each other rather than what they test.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({ test: { globalSetup: ['@plexus/test-harness/global-setup'], fileParallelism: false } })
);
