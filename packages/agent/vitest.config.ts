import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'agent',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests talk to an emulator over real sockets; a loaded CI machine gets room, not flakes.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
