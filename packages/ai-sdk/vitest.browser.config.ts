import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';
import { chromiumArgs, chromiumPath, sourceConditions } from '../../vitest.shared.js';

/** useChat with the transport in headless Chromium, against an emulator and an agent run by the global setup. */
export default defineProject({
  ...sourceConditions,
  test: {
    name: 'ai-sdk-browser',
    include: ['test/browser/**/*.browser.test.tsx'],
    globalSetup: [fileURLToPath(new URL('./test/browser/chat-server-setup.ts', import.meta.url))],
    testTimeout: 30_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
