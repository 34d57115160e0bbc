import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';

export default defineProject({
  ...sourceConditions,
  resolve: {
    ...sourceConditions.resolve,
    // The emulator runs inside the jsdom test files: its `ws` server must be the Node build.
    alias: [
      {
        find: /^ws$/,
        replacement: createRequire(fileURLToPath(new URL('../emulator/package.json', import.meta.url))).resolve('ws'),
      },
    ],
  },
  test: {
    name: 'ai-sdk',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    // The Chromium run has a project of its own (vitest.browser.config.ts).
    exclude: ['test/browser/**'],
    setupFiles: [fileURLToPath(new URL('./test/setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // eventsource-parser (under the AI SDK) publishes a `source` condition pointing at TypeScript,
    // which the workspace's condition selects: let Vite transform that chain instead of Node.
    server: { deps: { inline: [/\/node_modules\/(ai|@ai-sdk\/[^/]+|eventsource-parser)\//] } },
  },
});
