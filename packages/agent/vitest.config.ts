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
    // eventsource-parser (under the AI SDK) publishes a `source` condition pointing at TypeScript,
    // which the workspace's condition selects: let Vite transform that chain instead of Node.
    server: { deps: { inline: [/\/node_modules\/(ai|@ai-sdk\/[^/]+|eventsource-parser)\//] } },
  },
});
