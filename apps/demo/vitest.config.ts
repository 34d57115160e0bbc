import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'demo',
    environment: 'node',
    // Component tests under src/ pick jsdom with a `@vitest-environment` comment.
    include: ['server/**/*.test.ts', 'src/**/*.test.tsx', 'e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // eventsource-parser (under the AI SDK) publishes a `source` condition pointing at TypeScript,
    // which the workspace's condition selects: let Vite transform that chain instead of Node.
    server: { deps: { inline: [/\/node_modules\/(ai|@ai-sdk\/[^/]+|eventsource-parser)\//] } },
  },
});
