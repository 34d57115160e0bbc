import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';

/** The suite runs twice: on React 19 (`react`) and on React 18.3 (`react-18`, see vitest.react-18.config.ts). */
export const reactTestConfig = {
  environment: 'jsdom' as const,
  include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
  setupFiles: [fileURLToPath(new URL('./test/setup.ts', import.meta.url))],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

/**
 * The emulator runs inside the jsdom test files; its `ws` server must be the Node build, not the
 * browser stub that jsdom's `browser` condition would pick.
 */
export const nodeOnlyAliases = [
  {
    find: /^ws$/,
    replacement: createRequire(fileURLToPath(new URL('../emulator/package.json', import.meta.url))).resolve('ws'),
  },
];

export default defineProject({
  ...sourceConditions,
  resolve: { ...sourceConditions.resolve, alias: nodeOnlyAliases },
  test: { name: 'react', ...reactTestConfig },
});
