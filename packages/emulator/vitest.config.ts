import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'emulator',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real sockets and real SDK clients: generous limits so a loaded CI machine slows tests, not fails them.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
