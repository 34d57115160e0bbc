import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';
import { chromiumArgs, chromiumPath, sourceConditions } from '../../vitest.shared.js';
import { markdownItDependencies } from './build/markdown-it-dependencies.js';

/** The markdown parser as a browser loads it: markdown-it with our replacements, the browser's entity decoder. */
export default defineProject({
  ...sourceConditions,
  plugins: [markdownItDependencies()],
  // Served module by module (not pre-bundled), so markdown-it's imports meet the replacements.
  optimizeDeps: { exclude: ['markdown-it'] },
  test: {
    name: 'markdown-browser',
    include: ['test/browser/**/*.browser.test.ts'],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
