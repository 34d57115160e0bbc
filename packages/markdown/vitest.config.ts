import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';
import { markdownItDependencies } from './build/markdown-it-dependencies.js';

export default defineProject({
  ...sourceConditions,
  // markdown-it runs through Vite (not Node's loader) so its imports meet the replacements the
  // package build makes: the tests parse with the code that ships.
  plugins: [markdownItDependencies()],
  test: {
    name: 'markdown',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/browser/**'],
    server: { deps: { inline: [/markdown-it/] } },
  },
});
