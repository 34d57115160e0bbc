import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'packages/react/vitest.react-18.config.ts',
      'packages/ai-sdk/vitest.browser.config.ts',
      'packages/markdown/vitest.browser.config.ts',
      'apps/*/vitest.config.ts',
      'vitest.storybook.config.ts',
    ],
  },
});
