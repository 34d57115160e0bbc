import type { StorybookConfig } from '@storybook/react-vite';
import { defaultClientConditions } from 'vite';
import { storyEmulatorBridge } from './emulator-bridge.js';

const config: StorybookConfig = {
  stories: ['../packages/*/src/**/*.stories.@(ts|tsx)'],
  framework: { name: '@storybook/react-vite', options: {} },
  addons: ['@storybook/addon-a11y', '@storybook/addon-vitest'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  viteFinal(viteConfig) {
    // Workspace packages resolve to their src/ through the `source` export condition.
    viteConfig.resolve ??= {};
    viteConfig.resolve.conditions = ['source', ...defaultClientConditions];
    // Faults and tokens for the stories come from this server (no web page may call the emulator's
    // control endpoint or hold its key).
    viteConfig.plugins = [...(viteConfig.plugins ?? []), storyEmulatorBridge()];
    // Only Storybook's own pages read what its server hands out: no CORS for other local origins.
    viteConfig.server = { ...viteConfig.server, cors: false };
    return viteConfig;
  },
};

export default config;
