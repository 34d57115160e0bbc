import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'core',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Upper bounds for a loaded CI machine; the tests wait for states, they do not time anything.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
